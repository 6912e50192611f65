// A record's sharing and assignment requests (POST …/assign, GET|POST …/shares, POST …/unshare).
import { api } from '../../api/client';
import { recordPath } from '../../api/odata';
import type { EntityRecord } from '../../api/types';

/** The rights a share can grant (read is always included by the server). */
export const RIGHTS = ['read', 'write', 'delete', 'append', 'append_to', 'assign', 'share'] as const;

export interface Share {
  principal_id: string;
  principal_type: string;
  rights: string[];
  expires_at?: string;
  shared_by?: string;
  shared_at: string;
}

/** The body of a share: the rights chosen, and the expiry (a datetime-local value) in UTC. */
export function shareBody(principal: string, rights: readonly string[], expiresLocal: string): { principal_id: string; rights: string[]; expires_at?: string } {
  const body: { principal_id: string; rights: string[]; expires_at?: string } = { principal_id: principal, rights: [...rights] };
  if (expiresLocal) body.expires_at = new Date(expiresLocal).toISOString();
  return body;
}

export async function listShares(set: string, id: string): Promise<Share[]> {
  return (await api<{ value: Share[] }>(`${recordPath(set, id)}/shares`)).data.value;
}
export async function share(set: string, id: string, body: ReturnType<typeof shareBody>): Promise<void> {
  await api(`${recordPath(set, id)}/shares`, { method: 'POST', body });
}
export async function unshare(set: string, id: string, principal: string): Promise<void> {
  await api(`${recordPath(set, id)}/unshare`, { method: 'POST', body: { principal_id: principal } });
}
export async function assign(set: string, id: string, owner: string): Promise<EntityRecord> {
  return (await api<EntityRecord>(`${recordPath(set, id)}/assign`, { method: 'POST', body: { owner_id: owner } })).data;
}
