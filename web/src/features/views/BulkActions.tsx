// Bulk actions on the selected rows of a list: edit one field of every row in one atomic change
// set ($batch with one atomicity group), and assign every row to a user or owner team ($batch of
// assign actions, each row on its own). Errors are shown per row; the dialog keeps its content.
import { useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { attributeLabel } from '../../api/metadata';
import type { AttributeDefinition, EntityDefinition } from '../../api/types';
import { FieldEditor } from '../records/FieldEditor';
import { errorMessage } from '../records/errors';
import { draftOf, isReadOnly, valueOf } from '../records/fields';
import type { Draft, DraftValue } from '../records/fields';
import { PrincipalPicker } from '../sharing/PrincipalPicker';
import type { Principal } from '../sharing/PrincipalPicker';
import type { BulkRow, RowFailure } from './views';
import { assignBatch, batchOutcome, editBatch, runBatch } from './views';

/** Attributes bulk edit offers: every editable one but polymorphic lookups. */
export function bulkEditable(e: EntityDefinition): AttributeDefinition[] {
  return (e.attributes ?? []).filter((a) => !isReadOnly(a) && !(a.type === 'lookup' && a.target === '*'));
}

export interface BulkResult {
  action: 'edit' | 'assign';
  ok: number;
}

function Failures({ failures, rolledBack }: { failures: RowFailure[]; rolledBack: number }) {
  const { t } = useTranslation();
  if (!failures.length) return null;
  return (
    <div className="form-error" role="alert">
      <p>{t('bulk.failed', { count: failures.length })}</p>
      <ul>
        {failures.map((f, i) => (
          <li key={i}>{t('list.failure', { name: f.name, error: t(`errors.${f.code}`, { defaultValue: f.message, field: f.target ?? '' }) })}</li>
        ))}
      </ul>
      {rolledBack > 0 && <p>{t('bulk.rolledBack', { count: rolledBack })}</p>}
    </div>
  );
}

export function BulkEdit({ entity, set, rows, onDone }: { entity: EntityDefinition; set: string; rows: BulkRow[]; onDone: (r: BulkResult) => void }) {
  const { t, i18n } = useTranslation();
  const dialog = useRef<HTMLDialogElement>(null);
  const attrs = bulkEditable(entity);
  const [field, setField] = useState('');
  const [draft, setDraft] = useState<Draft>({});
  const [fieldError, setFieldError] = useState<string | undefined>();
  const [failures, setFailures] = useState<{ list: RowFailure[]; rolledBack: number; general: string }>({ list: [], rolledBack: 0, general: '' });
  const [busy, setBusy] = useState(false);
  const attr = attrs.find((a) => a.name === field);

  const open = () => {
    setFailures({ list: [], rolledBack: 0, general: '' });
    setFieldError(undefined);
    dialog.current?.showModal();
  };
  const pick = (name: string) => {
    setField(name);
    const a = attrs.find((x) => x.name === name);
    setDraft(a ? draftOf([a], undefined) : {});
    setFieldError(undefined);
  };
  const submit = async (ev: FormEvent) => {
    ev.preventDefault();
    if (!attr) {
      setFieldError(t('bulk.pickField'));
      return;
    }
    const c = valueOf(attr, draft);
    if (!c.ok) {
      setFieldError(t(`errors.${c.code}`));
      return;
    }
    const body: Record<string, unknown> = { [attr.name]: c.value };
    if (attr.type === 'money') {
      const cur = String(draft[`${attr.name}_currency`] ?? '').trim().toUpperCase();
      if (cur) body[`${attr.name}_currency`] = cur;
    }
    setBusy(true);
    setFieldError(undefined);
    try {
      const out = batchOutcome(rows, await runBatch(editBatch(set, rows, body)));
      if (out.failures.length || out.rolledBack) {
        setFailures({ list: out.failures, rolledBack: out.rolledBack, general: '' });
      } else {
        dialog.current?.close();
        onDone({ action: 'edit', ok: out.ok });
      }
    } catch (e) {
      setFailures({ list: [], rolledBack: 0, general: errorMessage(e, t) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <button type="button" className="secondary" onClick={open}>{t('bulk.edit')}</button>
      <dialog ref={dialog} className="confirm bulk-dialog" aria-labelledby="bulk-edit-title">
        <form onSubmit={(e) => void submit(e)} noValidate>
          <h2 id="bulk-edit-title">{t('bulk.editTitle', { count: rows.length })}</h2>
          <p className="muted">{t('bulk.editText')}</p>
          {failures.general && <p className="form-error" role="alert">{failures.general}</p>}
          <Failures failures={failures.list} rolledBack={failures.rolledBack} />
          <div className="field">
            <label htmlFor="bulk-field">{t('bulk.field')}</label>
            <select id="bulk-field" value={field} onChange={(e) => pick(e.target.value)} aria-invalid={(!attr && !!fieldError) || undefined}>
              <option value="">{t('bulk.chooseField')}</option>
              {attrs.map((a) => (
                <option key={a.name} value={a.name}>{attributeLabel(a, i18n.language)}</option>
              ))}
            </select>
          </div>
          {attr && (
            <FieldEditor
              key={attr.name}
              attr={{ ...attr, required: false }}
              draft={draft}
              onChange={(name: string, v: DraftValue) => setDraft((d) => ({ ...d, [name]: v }))}
              errors={fieldError ? [{ code: 'invalid', message: fieldError }] : undefined}
            />
          )}
          {!attr && fieldError && <p className="field-error" role="alert">{fieldError}</p>}
          <div className="actions">
            <button type="button" className="secondary" onClick={() => dialog.current?.close()}>{t('common.cancel')}</button>
            <button type="submit" disabled={busy}>{busy ? t('common.working') : t('bulk.apply', { count: rows.length })}</button>
          </div>
        </form>
      </dialog>
    </>
  );
}

export function BulkAssign({ set, rows, onDone }: { set: string; rows: BulkRow[]; onDone: (r: BulkResult) => void }) {
  const { t } = useTranslation();
  const dialog = useRef<HTMLDialogElement>(null);
  const [who, setWho] = useState<Principal>({ kind: 'user', id: '' });
  const [failures, setFailures] = useState<{ list: RowFailure[]; general: string }>({ list: [], general: '' });
  const [progress, setProgress] = useState('');
  const [busy, setBusy] = useState(false);

  const open = () => {
    setFailures({ list: [], general: '' });
    setProgress('');
    dialog.current?.showModal();
  };
  const submit = async (ev: FormEvent) => {
    ev.preventDefault();
    if (!who.id) {
      setFailures({ list: [], general: t('bulk.pickOwner') });
      return;
    }
    setBusy(true);
    setProgress(t('bulk.assigning', { count: rows.length }));
    try {
      const out = batchOutcome(rows, await runBatch(assignBatch(set, rows, who.id)));
      setProgress('');
      if (out.failures.length) {
        setFailures({ list: out.failures, general: out.ok ? t('bulk.assigned', { count: out.ok }) : '' });
        if (out.ok) onDone({ action: 'assign', ok: out.ok });
      } else {
        dialog.current?.close();
        onDone({ action: 'assign', ok: out.ok });
      }
    } catch (e) {
      setProgress('');
      setFailures({ list: [], general: errorMessage(e, t) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <button type="button" className="secondary" onClick={open}>{t('bulk.assign')}</button>
      <dialog ref={dialog} className="confirm bulk-dialog" aria-labelledby="bulk-assign-title">
        <form onSubmit={(e) => void submit(e)} noValidate>
          <h2 id="bulk-assign-title">{t('bulk.assignTitle', { count: rows.length })}</h2>
          {failures.general && <p className={failures.list.length ? 'muted' : 'form-error'} role="alert">{failures.general}</p>}
          <Failures failures={failures.list} rolledBack={0} />
          <PrincipalPicker label={t('sharing.newOwner')} value={who} onChange={setWho} />
          {progress && <p className="muted" role="status">{progress}</p>}
          <div className="actions">
            <button type="button" className="secondary" onClick={() => dialog.current?.close()}>{t('common.cancel')}</button>
            <button type="submit" disabled={busy}>{busy ? t('common.working') : t('bulk.assignApply', { count: rows.length })}</button>
          </div>
        </form>
      </dialog>
    </>
  );
}
