// The record's access team (inside the sharing panel): the members of each of the entity's
// access-team templates with their expiry (ended memberships marked), adding a user to a template
// with an optional expiry, and removing. Errors are shown next to the field at fault.
import { useState } from 'react';
import type { FormEvent } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Field } from '../admin/Field';
import { errorMessage, mapErrors } from '../records/errors';
import type { MappedErrors } from '../records/errors';
import { formatDateTime } from '../records/format';
import { LookupEditor } from '../records/LookupEditor';
import { PrincipalName } from './PrincipalPicker';
import { accessTeamBody, addAccessTeamMember, isExpired, listAccessTeam, listTemplates, removeAccessTeamMember, templatesFor } from './sharing';

const FIELDS = ['template_id', 'user_id', 'expires_at'] as const;
const NO_ERRORS: MappedErrors = { fields: {}, general: [] };

export function AccessTeamPanel({ entity, set, id }: { entity: string; set: string; id: string }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const qc = useQueryClient();
  const key = ['access-team', set, id];
  const members = useQuery({ queryKey: key, queryFn: () => listAccessTeam(set, id), retry: false });
  const templates = useQuery({ queryKey: ['access-team-templates'], queryFn: listTemplates, retry: false, staleTime: 60_000 });
  const mine = templatesFor(templates.data ?? [], entity);
  const names = new Map((templates.data ?? []).map((x) => [x.id, x.name]));
  const [template, setTemplate] = useState('');
  const [user, setUser] = useState('');
  const [expires, setExpires] = useState('');
  const [errors, setErrors] = useState<MappedErrors>(NO_ERRORS);
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);
  const chosen = template || mine[0]?.id || '';

  const run = async (f: () => Promise<unknown>, done: string) => {
    setBusy(true);
    setErrors(NO_ERRORS);
    setStatus('');
    try {
      await f();
      await qc.invalidateQueries({ queryKey: key });
      setStatus(done);
      return true;
    } catch (e) {
      setErrors(mapErrors(e, FIELDS));
      return false;
    } finally {
      setBusy(false);
    }
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!chosen || !user) return;
    if (await run(() => addAccessTeamMember(set, id, accessTeamBody(chosen, user, expires)), t('accessTeam.added'))) {
      setUser('');
      setExpires('');
    }
  };

  return (
    <div className="access-team">
      <h3 id="access-team-title">{t('accessTeam.title')}</h3>
      {members.isPending && <p className="muted">{t('common.loading')}</p>}
      {members.isError && <p className="form-error" role="alert">{errorMessage(members.error, t)}</p>}
      {members.data && members.data.length === 0 && <p className="muted">{t('accessTeam.none')}</p>}
      {members.data && members.data.length > 0 && (
        <div className="table-scroll small">
          <table aria-labelledby="access-team-title">
            <thead>
              <tr>
                <th scope="col">{t('accessTeam.user')}</th>
                <th scope="col">{t('accessTeam.template')}</th>
                <th scope="col">{t('sharing.expires')}</th>
                <th scope="col"><span className="sr-only">{t('admin.actions')}</span></th>
              </tr>
            </thead>
            <tbody>
              {members.data.map((m) => {
                const ended = isExpired(m);
                return (
                  <tr key={`${m.template_id}/${m.user_id}`} className={ended ? 'muted' : undefined}>
                    <th scope="row"><PrincipalName id={m.user_id} kind="user" /></th>
                    <td>{names.get(m.template_id) ?? m.template_id}</td>
                    <td>
                      {m.expires_at ? formatDateTime(m.expires_at, lang) : t('sharing.never')}
                      {ended && <span className="badge">{t('accessTeam.expired')}</span>}
                    </td>
                    <td className="row-actions">
                      <button
                        type="button"
                        className="link danger-text"
                        disabled={busy}
                        onClick={() => void run(() => removeAccessTeamMember(set, id, m.template_id, m.user_id), t('accessTeam.removed'))}
                      >
                        {t('accessTeam.remove')}<span className="sr-only"> <PrincipalName id={m.user_id} kind="user" /></span>
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {templates.isError && <p className="muted">{t('accessTeam.noTemplatesAccess')}</p>}
      {templates.data && mine.length === 0 && <p className="muted">{t('accessTeam.noTemplates')}</p>}
      {mine.length > 0 && (
        <form className="share-form" aria-label={t('accessTeam.addTitle')} onSubmit={submit} noValidate>
          <h4>{t('accessTeam.addTitle')}</h4>
          <Field id="atm-template" label={t('accessTeam.template')} errors={errors.fields.template_id}>
            {(p) => (
              <select {...p} value={chosen} onChange={(e) => setTemplate(e.target.value)}>
                {mine.map((x) => <option key={x.id} value={x.id}>{x.name}</option>)}
              </select>
            )}
          </Field>
          <Field id="atm-user" label={t('accessTeam.user')} errors={errors.fields.user_id}>
            {(p) => <LookupEditor {...p} name="user_id" target="user" value={user} onChange={setUser} />}
          </Field>
          <Field id="atm-expires" label={t('sharing.expiresOptional')} errors={errors.fields.expires_at}>
            {(p) => <input {...p} type="datetime-local" value={expires} onChange={(e) => setExpires(e.target.value)} />}
          </Field>
          <div className="actions">
            <button type="submit" disabled={busy || !user}>{t('accessTeam.add')}</button>
          </div>
        </form>
      )}
      {errors.general.length > 0 && (
        <p className="form-error" role="alert">{errors.general.map((g) => t(`errors.${g.code}`, { defaultValue: g.message, field: '' })).join(' ')}</p>
      )}
      <p className="status" role="status">{status}</p>
    </div>
  );
}
