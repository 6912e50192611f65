// The process buttons on a record's page: qualify, disqualify and reactivate a lead; close an
// opportunity as won or lost, and reopen it; resolve, cancel and reopen a case; submit, approve,
// reject, archive a knowledge article or make a new version of it. Each opens a small dialog; an
// error from the API stays in the dialog with everything chosen kept.
import { useEffect, useRef, useState } from 'react';
import type { FormEvent, ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { attributeLabel, entityLabel, label } from '../../api/metadata';
import type { EntityDefinition, EntityRecord } from '../../api/types';
import { errorMessage } from '../records/errors';
import { actionsFor, closeBody, qualifyBody, resolveBody, runAction, today } from './process';
import type { CloseForm, ProcessAction, QualifyResult } from './process';

export interface ProcessBarProps {
  entity: EntityDefinition;
  set: string;
  id: string;
  record: EntityRecord;
  etag: string | null;
  /** The form has unsaved changes: actions wait until they are saved. */
  dirty: boolean;
  /** Reloads the record after an action changed it. */
  onChanged: () => Promise<void>;
}

export function ProcessBar({ entity, set, id, record, etag, dirty, onChanged }: ProcessBarProps) {
  const { t } = useTranslation();
  const [open, setOpen] = useState<ProcessAction | null>(null);
  const actions = actionsFor(entity.name, record);
  if (actions.length === 0) return null;
  return (
    <div className="process-bar" role="group" aria-label={t('process.title')}>
      {actions.map((a) => (
        <button key={a} type="button" className={a === 'disqualify' || a === 'cancel' || a === 'reject' || a === 'archive' || a === 'route' ? 'secondary' : undefined} disabled={dirty}
          aria-describedby={dirty ? 'process-dirty' : undefined} onClick={() => setOpen(a)}>
          {t(`process.${a}Button`, { defaultValue: t(`process.${a}`) })}
        </button>
      ))}
      {dirty && <span id="process-dirty" className="muted">{t('process.saveFirst')}</span>}
      {open && (
        <ActionDialog action={open} entity={entity} set={set} id={id} record={record} etag={etag}
          onClose={() => setOpen(null)} onChanged={onChanged} />
      )}
    </div>
  );
}

interface DialogProps {
  action: ProcessAction;
  entity: EntityDefinition;
  set: string;
  id: string;
  record: EntityRecord;
  etag: string | null;
  onClose: () => void;
  onChanged: () => Promise<void>;
}

function ActionDialog({ action, entity, set, id, record, etag, onClose, onChanged }: DialogProps) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const ref = useRef<HTMLDialogElement>(null);
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const hasAccount = typeof record.account_id === 'string' && record.account_id !== '';
  const [createAccount, setCreateAccount] = useState(!hasAccount && !!record.company_name);
  const [createOpportunity, setCreateOpportunity] = useState(true);
  const reasons = entity.attributes?.find((a) => a.name === 'disqualify_reason');
  const [reason, setReason] = useState('');
  const [close, setClose] = useState<CloseForm>({ status: 'won', reason: '', competitor: '', closeDate: today() });
  const [resolution, setResolution] = useState('');
  const [satisfaction, setSatisfaction] = useState('');
  const [comment, setComment] = useState('');
  const satisfactionAttr = entity.attributes?.find((a) => a.name === 'satisfaction');

  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal?.();
    return () => d?.close?.();
  }, []);

  const submit = async (ev: FormEvent) => {
    ev.preventDefault();
    setBusy(true);
    setError(null);
    try {
      let body: unknown = {};
      if (action === 'qualify') body = qualifyBody({ createAccount, createOpportunity }, hasAccount);
      if (action === 'disqualify') body = { reason };
      if (action === 'close') body = closeBody(close);
      if (action === 'resolve') body = resolveBody(resolution, satisfaction);
      if (action === 'reject') body = { comment: comment.trim() };
      const out = await runAction<QualifyResult | EntityRecord>(set, id, action, body, etag);
      await Promise.all(['list', 'related', 'record', 'audit', 'pipeline', 'home'].map((k) => qc.invalidateQueries({ queryKey: [k] })));
      onClose();
      const opp = action === 'qualify' ? (out as QualifyResult).opportunity_id : undefined;
      const version = action === 'new_version' ? String((out as EntityRecord).id ?? '') : '';
      if (opp) navigate(`/opportunities/${encodeURIComponent(opp)}`);
      else if (version) navigate(`/${set}/${encodeURIComponent(version)}`);
      else await onChanged();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  let fields: ReactNode = null;
  if (action === 'qualify') {
    fields = (
      <fieldset>
        <legend>{t('process.qualifyCreates')}</legend>
        {!hasAccount && (
          <label className="check">
            <input type="checkbox" checked={createAccount} onChange={(e) => setCreateAccount(e.target.checked)} />
            {t('process.createAccount', { name: String(record.company_name ?? '') })}
          </label>
        )}
        <p className="muted">{t('process.createContact')}</p>
        <label className="check">
          <input type="checkbox" checked={createOpportunity} onChange={(e) => setCreateOpportunity(e.target.checked)} />
          {t('process.createOpportunity')}
        </label>
      </fieldset>
    );
  } else if (action === 'disqualify') {
    fields = (
      <label>
        {reasons ? attributeLabel(reasons, lang) : t('process.reason')}
        <select required value={reason} onChange={(e) => setReason(e.target.value)}>
          <option value="">{t('process.chooseReason')}</option>
          {(reasons?.options ?? []).map((o) => (
            <option key={o.value} value={o.value}>{label(o.label, lang, o.value)}</option>
          ))}
        </select>
      </label>
    );
  } else if (action === 'resolve') {
    fields = (
      <>
        <label>
          {t('process.resolution')}
          <textarea required rows={4} value={resolution} onChange={(e) => setResolution(e.target.value)} />
        </label>
        <label>
          {satisfactionAttr ? attributeLabel(satisfactionAttr, lang) : t('process.satisfaction')}
          <select value={satisfaction} onChange={(e) => setSatisfaction(e.target.value)}>
            <option value="">{t('process.notRated')}</option>
            {['1', '2', '3', '4', '5'].map((n) => <option key={n} value={n}>{n}</option>)}
          </select>
        </label>
      </>
    );
  } else if (action === 'route' || action === 'pick') {
    fields = <p>{t(`process.${action}Explain`)}</p>;
  } else if (action === 'reject') {
    fields = (
      <label>
        {t('process.comment')}
        <textarea required rows={3} value={comment} onChange={(e) => setComment(e.target.value)} />
      </label>
    );
  } else if (action === 'close') {
    fields = (
      <>
        <fieldset>
          <legend>{t('process.outcome')}</legend>
          <label className="check">
            <input type="radio" name="outcome" value="won" checked={close.status === 'won'} onChange={() => setClose({ ...close, status: 'won' })} />
            {t('process.won')}
          </label>
          <label className="check">
            <input type="radio" name="outcome" value="lost" checked={close.status === 'lost'} onChange={() => setClose({ ...close, status: 'lost' })} />
            {t('process.lost')}
          </label>
        </fieldset>
        <label>
          {t('process.reason')}
          <input value={close.reason} maxLength={200} onChange={(e) => setClose({ ...close, reason: e.target.value })} />
        </label>
        {close.status === 'lost' && (
          <label>
            {t('process.competitor')}
            <input value={close.competitor} maxLength={200} onChange={(e) => setClose({ ...close, competitor: e.target.value })} />
          </label>
        )}
        <label>
          {t('process.closeDate')}
          <input type="date" value={close.closeDate} onChange={(e) => setClose({ ...close, closeDate: e.target.value })} />
        </label>
      </>
    );
  }

  return (
    <dialog ref={ref} className="confirm" aria-labelledby="process-title" onCancel={onClose}>
      <form onSubmit={submit} className="stack">
        <h2 id="process-title">{t(`process.${action}Title`, { entity: lang.startsWith('zh') ? entityLabel(entity, lang) : entityLabel(entity, lang).toLowerCase() })}</h2>
        {fields}
        {error !== null && <p className="form-error" role="alert">{errorMessage(error, t)}</p>}
        <div className="actions">
          <button type="button" className="secondary" onClick={onClose}>{t('common.cancel')}</button>
          <button type="submit" disabled={busy || (action === 'disqualify' && !reason) || (action === 'resolve' && !resolution.trim()) || (action === 'reject' && !comment.trim())}>
            {busy ? t('common.working') : t(`process.${action}`)}
          </button>
        </div>
      </form>
    </dialog>
  );
}
