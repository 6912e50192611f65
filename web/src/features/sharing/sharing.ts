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

/** An access team template (administrators define them per entity). */
export interface AccessTeamTemplate {
  id: string;
  name: string;
  entity: string;
  rights: string[];
  created_at: string;
}

/** A user in a record's access team of one template, until `expires_at` (absent: until removed). */
export interface AccessTeamMember {
  template_id: string;
  user_id: string;
  expires_at?: string;
  added_at: string;
}

/** The templates that apply to records of `entity` (the API lists every entity's). */
export function templatesFor(all: readonly AccessTeamTemplate[], entity: string): AccessTeamTemplate[] {
  return all.filter((t) => t.entity === entity).sort((a, b) => a.name.localeCompare(b.name));
}

/** Whether a membership has ended at `now` (the server stops honouring it at that instant). */
export function isExpired(m: Pick<AccessTeamMember, 'expires_at'>, now: Date = new Date()): boolean {
  return m.expires_at !== undefined && Date.parse(m.expires_at) <= now.getTime();
}

/** The body adding a user to a record's access team, with the expiry (a datetime-local value) in UTC. */
export function accessTeamBody(template: string, user: string, expiresLocal: string): { template_id: string; user_id: string; expires_at?: string } {
  const body: { template_id: string; user_id: string; expires_at?: string } = { template_id: template, user_id: user };
  if (expiresLocal) body.expires_at = new Date(expiresLocal).toISOString();
  return body;
}

export async function listTemplates(): Promise<AccessTeamTemplate[]> {
  return (await api<{ value: AccessTeamTemplate[] }>('security/access-team-templates')).data.value;
}
export async function listAccessTeam(set: string, id: string): Promise<AccessTeamMember[]> {
  return (await api<{ value: AccessTeamMember[] }>(`${recordPath(set, id)}/access_team_members`)).data.value;
}
export async function addAccessTeamMember(set: string, id: string, body: ReturnType<typeof accessTeamBody>): Promise<void> {
  await api(`${recordPath(set, id)}/access_team_members`, { method: 'POST', body });
}
export async function removeAccessTeamMember(set: string, id: string, template: string, user: string): Promise<void> {
  await api(`${recordPath(set, id)}/remove_access_team_member`, { method: 'POST', body: { template_id: template, user_id: user } });
}
