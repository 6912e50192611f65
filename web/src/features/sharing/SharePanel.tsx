// The record page's "Sharing" panel (records of user-owned entities, for anyone): the current
// shares with their rights and expiry, sharing with a user or team (rights, optional expiry),
// revoking, assigning the record to another owner, and its access team (AccessTeamPanel).
// The API decides who may: its 403s
// (no share or assign privilege on this record) are shown as they come.
import { useState } from 'react';
import type { FormEvent } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/client';
import { errorMessage } from '../records/errors';
import { formatDateTime } from '../records/format';
import { AccessTeamPanel } from './AccessTeamPanel';
import { PrincipalName, PrincipalPicker } from './PrincipalPicker';
import type { Principal } from './PrincipalPicker';
import { RIGHTS, assign, listShares, share, shareBody, unshare } from './sharing';

function Problem({ error }: { error: unknown }) {
  const { t } = useTranslation();
  const denied = error instanceof ApiError && error.status === 403;
  return (
    <p className="form-error" role="alert">
      {denied && <strong>{t('sharing.denied')} </strong>}
      {errorMessage(error, t)}
    </p>
  );
}

/** `onAssigned` lets the page re-read the record (new owner, new ETag) after an assignment. */
export function SharePanel({ entity, set, id, onAssigned }: { entity: string; set: string; id: string; onAssigned: () => Promise<void> }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const qc = useQueryClient();
  const key = ['shares', set, id];
  const shares = useQuery({ queryKey: key, queryFn: () => listShares(set, id), retry: false });
  const [who, setWho] = useState<Principal>({ kind: 'user', id: '' });
  const [rights, setRights] = useState<string[]>(['read']);
  const [expires, setExpires] = useState('');
  const [owner, setOwner] = useState<Principal>({ kind: 'user', id: '' });
  const [error, setError] = useState<unknown>(null);
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);

  const run = async (f: () => Promise<unknown>, done: string) => {
    setBusy(true);
    setError(null);
    setStatus('');
    try {
      await f();
      await qc.invalidateQueries({ queryKey: key });
      setStatus(done);
      return true;
    } catch (e) {
      setError(e);
      return false;
    } finally {
      setBusy(false);
    }
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!who.id) return;
    const ok = await run(() => share(set, id, shareBody(who.id, rights, expires)), t('sharing.shared'));
    if (ok) {
      setWho({ kind: who.kind, id: '' });
      setExpires('');
    }
  };

  const toggle = (r: string, on: boolean) => setRights((rs) => (on ? [...rs, r] : rs.filter((x) => x !== r)));

  return (
    <section className="panel sharing" aria-labelledby="sharing-title">
      <h2 id="sharing-title">{t('sharing.title')}</h2>
      {shares.isPending && <p className="muted">{t('common.loading')}</p>}
      {shares.isError && <Problem error={shares.error} />}
      {shares.data && shares.data.length === 0 && <p className="muted">{t('sharing.none')}</p>}
      {shares.data && shares.data.length > 0 && (
        <div className="table-scroll small">
          <table>
            <caption className="sr-only">{t('sharing.current')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('sharing.with')}</th>
                <th scope="col">{t('sharing.rights')}</th>
                <th scope="col">{t('sharing.expires')}</th>
                <th scope="col"><span className="sr-only">{t('admin.actions')}</span></th>
              </tr>
            </thead>
            <tbody>
              {shares.data.map((s) => (
                <tr key={s.principal_id}>
                  <th scope="row">
                    <PrincipalName id={s.principal_id} kind={s.principal_type} />
                    {s.principal_type === 'team' && <span className="badge">{t('sharing.team')}</span>}
                  </th>
                  <td>{s.rights.map((r) => t(`sharing.right.${r}`, { defaultValue: r })).join(', ')}</td>
                  <td>{s.expires_at ? formatDateTime(s.expires_at, lang) : t('sharing.never')}</td>
                  <td className="row-actions">
                    <button type="button" className="link danger-text" disabled={busy} onClick={() => void run(() => unshare(set, id, s.principal_id), t('sharing.revoked'))}>
                      {t('sharing.revoke')}<span className="sr-only"> <PrincipalName id={s.principal_id} kind={s.principal_type} /></span>
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <form className="share-form" aria-label={t('sharing.shareTitle')} onSubmit={submit} noValidate>
        <h3>{t('sharing.shareTitle')}</h3>
        <PrincipalPicker label={t('sharing.shareWith')} value={who} onChange={setWho} />
        <fieldset className="rights">
          <legend>{t('sharing.rights')}</legend>
          {RIGHTS.map((r) => (
            <label key={r} className="check">
              <input type="checkbox" checked={rights.includes(r)} onChange={(e) => toggle(r, e.target.checked)} />
              {t(`sharing.right.${r}`)}
            </label>
          ))}
        </fieldset>
        <div className="field">
          <label htmlFor="share-expires" className="field-label">{t('sharing.expiresOptional')}</label>
          <input id="share-expires" type="datetime-local" value={expires} onChange={(e) => setExpires(e.target.value)} />
        </div>
        <div className="actions">
          <button type="submit" disabled={busy || !who.id || rights.length === 0}>{t('sharing.share')}</button>
        </div>
      </form>
      <div className="assign-form">
        <h3>{t('sharing.assignTitle')}</h3>
        <PrincipalPicker label={t('sharing.newOwner')} value={owner} onChange={setOwner} />
        <div className="actions">
          <button
            type="button"
            disabled={busy || !owner.id}
            onClick={() => void run(async () => {
              await assign(set, id, owner.id);
              setOwner({ kind: owner.kind, id: '' });
              await onAssigned();
            }, t('sharing.assigned'))}
          >
            {t('sharing.assign')}
          </button>
        </div>
      </div>
      {error !== null && <Problem error={error} />}
      <p className="status" role="status">{status}</p>
      <AccessTeamPanel entity={entity} set={set} id={id} />
    </section>
  );
}
