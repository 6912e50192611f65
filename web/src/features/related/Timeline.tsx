// The activity timeline of a record: activities (the `activity` union of tasks, calls, emails,
// appointments and notes) regarding it, newest first, with a quick add of a note or a task.
import { useState } from 'react';
import type { FormEvent } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../../api/client';
import { attributeLabel, entityLabel, label, setName, useEntities } from '../../api/metadata';
import { recordPath } from '../../api/odata';
import type { AttributeDefinition, EntityDefinition, EntityRecord, RecordPage } from '../../api/types';
import { mapErrors } from '../records/errors';
import type { MappedErrors } from '../records/errors';
import { formatDateTime, optionLabel } from '../records/format';

/** Activities shown on the timeline. */
export const TIMELINE_TOP = 25;

export interface TimelineProps {
  /** The record's entity (its name goes into regarding_type). */
  entity: EntityDefinition;
  id: string;
  /** The `activity` union entity and its members, from metadata. */
  union: EntityDefinition;
  members: EntityDefinition[];
}

export function timelineKey(id: string) {
  return ['timeline', id] as const;
}

export function Timeline({ entity, id, union, members }: TimelineProps) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const all = useEntities().data;
  // The server's timeline: activities regarding the record and, for an account, its contacts',
  // opportunities', cases' and leads' too (rolled up), newest first.
  const path = `${recordPath(setName(entity), id)}/timeline?$select=${encodeURIComponent(
    'activity_type,subject,description,status,due_at,created_at,regarding_id,regarding_type',
  )}&$top=${TIMELINE_TOP}`;
  const q = useQuery({
    queryKey: timelineKey(id),
    queryFn: async ({ signal }) => (await api<RecordPage>(path, { signal })).data.value,
  });
  const byName = new Map(members.map((m) => [m.name, m]));
  const status = union.attributes?.find((a) => a.name === 'status');

  return (
    <section className="panel timeline" aria-labelledby="timeline-title">
      <h2 id="timeline-title">{t('timeline.title')}</h2>
      <QuickAdd entity={entity} id={id} members={members} />
      {q.isPending && <p className="muted">{t('common.loading')}</p>}
      {q.isError && <p className="form-error" role="alert">{t('errors.load')}</p>}
      {q.isSuccess && q.data.length === 0 && <p className="muted">{t('timeline.empty')}</p>}
      {q.isSuccess && q.data.length > 0 && (
        <ol className="timeline-list" aria-label={t('timeline.title')}>
          {q.data.map((a) => (
            <TimelineItem key={String(a.id)} a={a} member={byName.get(String(a.activity_type))} status={status} lang={lang}
              via={typeof a.regarding_type === 'string' && a.regarding_id !== id ? all?.find((x) => x.name === a.regarding_type) : undefined} />
          ))}
        </ol>
      )}
    </section>
  );
}

function TimelineItem({ a, member, status, lang, via }: { a: EntityRecord; member: EntityDefinition | undefined; status: AttributeDefinition | undefined; lang: string; via: EntityDefinition | undefined }) {
  const { t } = useTranslation();
  const kind = member ? entityLabel(member, lang) : String(a.activity_type ?? '');
  const created = typeof a.created_at === 'string' ? a.created_at : '';
  const subject = String(a.subject ?? '') || t('list.untitled');
  const isTask = a.activity_type === 'task';
  return (
    <li className={`activity activity-${String(a.activity_type ?? '')}`}>
      <div className="activity-head">
        <span className="badge">{kind}</span>
        {member ? <Link to={`/${setName(member)}/${encodeURIComponent(String(a.id))}`}>{subject}</Link> : <span>{subject}</span>}
        {via && (
          <Link className="muted via" to={`/${setName(via)}/${encodeURIComponent(String(a.regarding_id))}`}>
            {t('timeline.via', { entity: entityLabel(via, lang) })}
          </Link>
        )}
      </div>
      {typeof a.description === 'string' && a.description && <p className="activity-body">{a.description}</p>}
      <p className="activity-meta muted">
        {created && <time dateTime={created}>{formatDateTime(created, lang)}</time>}
        {isTask && status && typeof a.status === 'string' && <span> · {optionLabel(status, a.status, lang)}</span>}
        {isTask && typeof a.due_at === 'string' && <span> · {t('timeline.dueAt', { when: formatDateTime(a.due_at, lang) })}</span>}
      </p>
    </li>
  );
}

type Kind = 'note' | 'task' | 'phone_call' | 'email';
const EMPTY: MappedErrors = { fields: {}, general: [] };

function QuickAdd({ entity, id, members }: { entity: EntityDefinition; id: string; members: EntityDefinition[] }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const qc = useQueryClient();
  const kinds = (['note', 'task', 'phone_call', 'email'] as const).filter((k) => members.some((m) => m.name === k));
  const [kind, setKind] = useState<Kind>(kinds[0] ?? 'note');
  const [subject, setSubject] = useState('');
  const [description, setDescription] = useState('');
  const [due, setDue] = useState('');
  const [direction, setDirection] = useState('outbound');
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<MappedErrors>(EMPTY);
  const [added, setAdded] = useState(false);
  const member = members.find((m) => m.name === kind);
  if (!member || kinds.length === 0) return null;
  const attr = (n: string) => member.attributes?.find((a) => a.name === n);
  const caption = (n: string, fallback: string) => {
    const a = attr(n);
    return a ? attributeLabel(a, lang) : fallback;
  };

  const submit = async (ev: FormEvent) => {
    ev.preventDefault();
    setBusy(true);
    setErrors(EMPTY);
    setAdded(false);
    // Blank is no subject: the server answers `required` next to the field.
    const body: Record<string, unknown> = { subject: subject.trim() ? subject : null, regarding_id: id, regarding_type: entity.name };
    if (description.trim()) body.description = description;
    if ((kind === 'phone_call' || kind === 'email') && attr('direction')) body.direction = direction;
    if (kind === 'task' && due) {
      const d = new Date(due);
      if (Number.isNaN(d.getTime())) {
        setErrors({ fields: { due_at: [{ code: 'invalid_format', message: 'invalid_format' }] }, general: [] });
        setBusy(false);
        return;
      }
      body.due_at = d.toISOString();
    }
    try {
      await api(setName(member), { method: 'POST', body, headers: { Prefer: 'return=minimal' } });
      setSubject('');
      setDescription('');
      setDue('');
      setAdded(true);
      await qc.invalidateQueries({ queryKey: timelineKey(id) });
    } catch (e) {
      setErrors(mapErrors(e, ['subject', 'description', 'due_at', 'direction']));
    } finally {
      setBusy(false);
    }
  };

  const fieldError = (n: string, label: string) =>
    errors.fields[n]?.length ? (
      <ul className="field-error" id={`qa-${n}-error`}>
        {errors.fields[n]!.map((e, i) => (
          <li key={i}>{t(`errors.${e.code}`, { defaultValue: e.message, field: label })}</li>
        ))}
      </ul>
    ) : null;
  const invalid = (n: string) => (errors.fields[n]?.length ? { 'aria-invalid': true as const, 'aria-describedby': `qa-${n}-error` } : {});
  const subjectLabel = caption('subject', t('timeline.subject'));
  const descriptionLabel = caption('description', t('timeline.description'));
  const dueLabel = caption('due_at', t('timeline.due'));

  return (
    <form className="quick-add" onSubmit={submit} noValidate aria-label={t('timeline.add')}>
      <div className="segmented" role="radiogroup" aria-label={t('timeline.kind')}>
        {kinds.map((k) => {
          const m = members.find((x) => x.name === k)!;
          return (
            <label key={k} className={kind === k ? 'on' : undefined}>
              <input type="radio" name="activity-kind" value={k} checked={kind === k} onChange={() => { setKind(k); setErrors(EMPTY); }} />
              {entityLabel(m, lang)}
            </label>
          );
        })}
      </div>
      {errors.general.length > 0 && (
        <p className="form-error" role="alert">{errors.general.map((g) => t(`errors.${g.code}`, { defaultValue: g.message })).join(' ')}</p>
      )}
      <div className="field">
        <label htmlFor="qa-subject" className="field-label">{subjectLabel}<span className="req" aria-hidden="true"> *</span></label>
        <input id="qa-subject" type="text" aria-required value={subject} onChange={(e) => setSubject(e.target.value)} {...invalid('subject')} />
        {fieldError('subject', subjectLabel)}
      </div>
      <div className="field">
        <label htmlFor="qa-description" className="field-label">{descriptionLabel}</label>
        <textarea id="qa-description" rows={2} value={description} onChange={(e) => setDescription(e.target.value)} {...invalid('description')} />
        {fieldError('description', descriptionLabel)}
      </div>
      {(kind === 'phone_call' || kind === 'email') && attr('direction') && (
        <div className="field">
          <label htmlFor="qa-direction" className="field-label">{caption('direction', t('timeline.direction'))}</label>
          <select id="qa-direction" value={direction} onChange={(e) => setDirection(e.target.value)} {...invalid('direction')}>
            {(attr('direction')?.options ?? []).map((o) => <option key={o.value} value={o.value}>{label(o.label, lang, o.value)}</option>)}
          </select>
          {fieldError('direction', caption('direction', t('timeline.direction')))}
        </div>
      )}
      {kind === 'task' && (
        <div className="field">
          <label htmlFor="qa-due" className="field-label">{dueLabel}</label>
          <input id="qa-due" type="datetime-local" value={due} onChange={(e) => setDue(e.target.value)} {...invalid('due_at')} />
          {fieldError('due_at', dueLabel)}
        </div>
      )}
      <div className="actions">
        <span className="status" role="status">{added ? t('timeline.added') : ''}</span>
        <button type="submit" disabled={busy}>{busy ? t('common.working') : t('timeline.addKind', { kind: entityLabel(member, lang) })}</button>
      </div>
    </form>
  );
}
