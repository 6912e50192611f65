// The audit history of a record (GET /audit?$filter=record_id eq <id>, administrators only):
// who did what and when, with the before and after values of each changed field. Hidden for
// users who may not read the audit trail (403).
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ApiError, api } from '../../api/client';
import { attributeLabel } from '../../api/metadata';
import { listPath } from '../../api/odata';
import type { AttributeDefinition, EntityDefinition } from '../../api/types';
import { formatDateTime, formatValue } from '../records/format';

/** Entries shown, newest first. */
export const AUDIT_TOP = 50;

/** One entry of the audit trail, as GET /api/v1/audit returns it (the fields the page uses). */
export interface AuditEntry {
  seq: number;
  at: string;
  action: string;
  user_name?: string;
  changes?: Record<string, unknown> | null;
}

/** A field's change in an entry: its name and, for updates, the old and new values. */
export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
}

/**
 * The changes of an entry, field by field: `{"f":{"old","new"}}` (update, assign) gives before and
 * after; a plain value (create: the primary name; delete: every value) is the after or the
 * before value. Currency companions are folded into their money field.
 */
export function fieldChanges(e: AuditEntry): FieldChange[] {
  const out: FieldChange[] = [];
  const c = e.changes;
  if (!c || typeof c !== 'object') return out;
  for (const [field, v] of Object.entries(c)) {
    if (v && typeof v === 'object' && !Array.isArray(v) && ('old' in v || 'new' in v)) {
      const ov = v as { old?: unknown; new?: unknown };
      out.push({ field, before: ov.old ?? null, after: ov.new ?? null });
    } else if (e.action === 'delete') {
      out.push({ field, before: v, after: null });
    } else {
      out.push({ field, before: null, after: v });
    }
  }
  return out.sort((a, b) => a.field.localeCompare(b.field));
}

function shown(v: unknown, a: AttributeDefinition | undefined, lang: string, yesNo: [string, string]): string {
  if (v === null || v === undefined || v === '') return '';
  if (a) return formatValue(a, { [a.name]: v }, lang, yesNo);
  return typeof v === 'string' ? v : JSON.stringify(v);
}

const ACTIONS = new Set(['create', 'update', 'delete', 'assign', 'share', 'unshare', 'associate', 'disassociate']);

export interface AuditHistoryProps {
  entity: EntityDefinition;
  id: string;
}

export function auditKey(id: string) {
  return ['audit', id] as const;
}

export function AuditHistory({ entity, id }: AuditHistoryProps) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const q = useQuery({
    queryKey: auditKey(id),
    queryFn: async ({ signal }) =>
      (await api<{ value: AuditEntry[] }>(
        listPath('audit', { select: ['seq', 'at', 'action', 'user_name', 'changes'], filter: `record_id eq ${id}`, orderby: 'seq desc', top: AUDIT_TOP }),
        { signal },
      )).data.value,
    retry: false,
  });
  if (q.isError && q.error instanceof ApiError && q.error.status === 403) return null;
  const attrs = new Map((entity.attributes ?? []).map((a) => [a.name, a]));
  const yesNo: [string, string] = [t('common.yes'), t('common.no')];

  return (
    <section className="panel audit" aria-labelledby="audit-title">
      <h2 id="audit-title">{t('audit.title')}</h2>
      {q.isPending && <p className="muted">{t('common.loading')}</p>}
      {q.isError && <p className="form-error" role="alert">{t('errors.load')}</p>}
      {q.isSuccess && q.data.length === 0 && <p className="muted">{t('audit.empty')}</p>}
      {q.isSuccess && q.data.length > 0 && (
        <ol className="audit-list">
          {q.data.map((e) => {
            const changes = fieldChanges(e);
            const action = ACTIONS.has(e.action) ? t(`audit.actions.${e.action}`) : e.action;
            const showTable = changes.length > 0 && e.action !== 'create';
            return (
              <li key={e.seq} className="audit-entry">
                <p className="audit-head">
                  <strong>{action}</strong>
                  {' · '}
                  {e.user_name || t('audit.system')}
                  {' · '}
                  <time dateTime={e.at}>{formatDateTime(e.at, lang)}</time>
                </p>
                {showTable && (
                  <div className="table-scroll small">
                    <table>
                      <caption className="sr-only">{t('audit.changesOf', { action, when: formatDateTime(e.at, lang) })}</caption>
                      <thead>
                        <tr>
                          <th scope="col">{t('audit.field')}</th>
                          <th scope="col">{t('audit.before')}</th>
                          <th scope="col">{t('audit.after')}</th>
                        </tr>
                      </thead>
                      <tbody>
                        {changes.map((c) => {
                          const a = attrs.get(c.field);
                          return (
                            <tr key={c.field}>
                              <th scope="row">{a ? attributeLabel(a, lang) : c.field}</th>
                              <td data-label={t('audit.before')}>{shown(c.before, a, lang, yesNo) || <span className="muted">{t('audit.blank')}</span>}</td>
                              <td data-label={t('audit.after')}>{shown(c.after, a, lang, yesNo) || <span className="muted">{t('audit.blank')}</span>}</td>
                            </tr>
                          );
                        })}
                      </tbody>
                    </table>
                  </div>
                )}
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}
