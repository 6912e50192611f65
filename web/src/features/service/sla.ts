// The case queue's SLA arithmetic: which timer is next, how much time it leaves (or how long
// ago it breached), and the filter and order of the queue.

export interface CaseRow {
  [k: string]: unknown;
  status?: unknown;
  sla_status?: unknown;
  first_response_by?: unknown;
  first_responded_at?: unknown;
  resolve_by?: unknown;
  sla_paused_at?: unknown;
}

export type Timer = 'first_response' | 'resolve';

/** The timer a case runs against next: the first response until answered, then resolution. */
export function nextTimer(c: CaseRow): { timer: Timer; due: Date } | null {
  const iso = (v: unknown) => (typeof v === 'string' && v ? new Date(v) : null);
  const response = iso(c.first_response_by);
  if (response && !c.first_responded_at) return { timer: 'first_response', due: response };
  const resolve = iso(c.resolve_by);
  return resolve ? { timer: 'resolve', due: resolve } : null;
}

/** Minutes until `due` (negative: overdue), rounded toward zero. */
export function minutesLeft(due: Date, now: Date): number {
  return Math.trunc((due.getTime() - now.getTime()) / 60000);
}

/** "2 h 05 min" style parts of a duration in minutes (absolute). */
export function durationParts(min: number): { d: number; h: number; m: number } {
  const a = Math.abs(min);
  return { d: Math.floor(a / 1440), h: Math.floor((a % 1440) / 60), m: a % 60 };
}

/** The queue's filter: open cases, optionally only the caller's or only escalated ones. */
export function queueFilter(opts: { ownerId?: string | undefined; escalated?: boolean; queueIds?: string[] | undefined }): string {
  const parts = ["status ne 'resolved'", "status ne 'canceled'"];
  if (opts.ownerId) parts.push(`owner_id eq ${opts.ownerId}`);
  // In one of the chosen queues; an empty choice (member of no queue) matches nothing.
  if (opts.queueIds) parts.push(opts.queueIds.length ? `queue_id in (${opts.queueIds.join(',')})` : 'id eq null');
  if (opts.escalated) parts.push('escalated eq true');
  return parts.join(' and ');
}

/** Nearest resolution deadline first; cases without one last. */
export const QUEUE_ORDER = 'resolve_by asc,created_at asc';
