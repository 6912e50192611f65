// The sales and service processes' bound actions (POST <set>(<id>)/<action>): which a record
// offers in its current state, and the bodies they take. See docs/api.md, "Sales process" and
// "Knowledge base".
import { api } from '../../api/client';
import { recordPath } from '../../api/odata';
import type { EntityRecord } from '../../api/types';

export type ProcessAction = 'qualify' | 'disqualify' | 'reactivate' | 'close' | 'reopen' | 'resolve' | 'cancel'
  | 'submit' | 'approve' | 'reject' | 'archive' | 'new_version' | 'route' | 'pick';

/** A knowledge article's workflow actions per status (archived articles have none). */
const articleActions: Record<string, ProcessAction[]> = {
  draft: ['submit'],
  review: ['approve', 'reject'],
  published: ['new_version', 'archive'],
};

/** The actions a record of `entity` offers in its current status (none for other entities). An
 * open lead or case can be routed by the assignment rules; a case in a queue can be picked. */
export function actionsFor(entity: string, record: EntityRecord): ProcessAction[] {
  const status = typeof record.status === 'string' ? record.status : '';
  const closed = isClosed(entity, record);
  if (entity === 'lead') return closed ? ['reactivate'] : ['qualify', 'disqualify', 'route'];
  if (entity === 'opportunity') return closed ? ['reopen'] : ['close'];
  if (entity === 'case') {
    if (closed) return ['reopen'];
    const queued = typeof record.queue_id === 'string' && record.queue_id !== '';
    return queued ? ['resolve', 'cancel', 'pick', 'route'] : ['resolve', 'cancel', 'route'];
  }
  if (entity === 'knowledge_article') return articleActions[status] ?? [];
  return [];
}

/** The statuses in which a record is closed (read-only until reopened; the server answers other
 * edits 409 record_closed). */
const closedStatuses: Record<string, string[]> = {
  lead: ['qualified', 'disqualified'],
  opportunity: ['won', 'lost'],
  case: ['resolved', 'canceled'],
};

/** Whether a record of `entity` is closed: its form is read-only and its reopen action is offered. */
export function isClosed(entity: string, record: EntityRecord): boolean {
  const status = typeof record.status === 'string' ? record.status : '';
  return closedStatuses[entity]?.includes(status) ?? false;
}

export interface CloseForm {
  status: 'won' | 'lost';
  reason: string;
  competitor: string;
  closeDate: string;
}

/** The body of an opportunity's close action: blank fields are left out (the server defaults them). */
export function closeBody(f: CloseForm): Record<string, string> {
  const b: Record<string, string> = { status: f.status };
  if (f.reason.trim()) b.reason = f.reason.trim();
  if (f.status === 'lost' && f.competitor.trim()) b.competitor = f.competitor.trim();
  if (f.closeDate) b.close_date = f.closeDate;
  return b;
}

/** The body of a case's resolve action (satisfaction only when chosen). */
export function resolveBody(resolution: string, satisfaction: string): Record<string, string | number> {
  const b: Record<string, string | number> = { resolution: resolution.trim() };
  if (satisfaction) b.satisfaction = Number(satisfaction);
  return b;
}

export interface QualifyForm {
  createAccount: boolean;
  createOpportunity: boolean;
}

/** The body of a lead's qualify action. */
export function qualifyBody(f: QualifyForm, hasAccount: boolean): Record<string, boolean> {
  const b: Record<string, boolean> = { create_opportunity: f.createOpportunity };
  if (!hasAccount) b.create_account = f.createAccount;
  return b;
}

export interface QualifyResult {
  lead_id: string;
  account_id?: string;
  contact_id?: string;
  opportunity_id?: string;
  created: string[];
}

/** Runs an action on one record, based on the version the user sees (If-Match). */
export async function runAction<T>(set: string, id: string, action: ProcessAction, body: unknown, etag: string | null): Promise<T> {
  const headers: Record<string, string> = {};
  if (etag) headers['If-Match'] = etag;
  const res = await api<T>(`${recordPath(set, id)}/${action}`, { method: 'POST', body: body ?? {}, headers });
  return res.data;
}

/** Today's date (YYYY-MM-DD) in the user's time zone, for the close date's default. */
export function today(now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}`;
}
