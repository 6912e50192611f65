// Security roles: the API's shapes and requests, and the privilege grid's model (entity ×
// privilege → depth) with the body of PUT /security/roles/{id}/privileges. The PUT replaces every
// privilege of the role, so the body carries every cell that is not `none` — the `*` row (every
// entity) and entities the grid does not show included — and nothing else.
import { api } from '../../api/client';

export const PRIVILEGES = ['create', 'read', 'write', 'delete', 'append', 'append_to', 'assign', 'share'] as const;
export type Privilege = (typeof PRIVILEGES)[number];
export const DEPTHS = ['none', 'user', 'business_unit', 'parent_child', 'organization'] as const;
export type Depth = (typeof DEPTHS)[number];
/** The entity name that grants a privilege on every entity. */
export const WILDCARD = '*';

export interface Grant {
  entity: string;
  privilege: string;
  depth: string;
}

export interface Role {
  id: string;
  name: string;
  description?: string;
  is_admin: boolean;
  privileges: Grant[] | null;
  created_at?: string;
}

/** entity → privilege → depth; a missing cell is `none`. */
export type Grid = Record<string, Partial<Record<Privilege, Depth>>>;

function isPrivilege(p: string): p is Privilege {
  return (PRIVILEGES as readonly string[]).includes(p);
}
function isDepth(d: string): d is Depth {
  return (DEPTHS as readonly string[]).includes(d);
}

/** The grid of a role's grants (unknown privileges or depths are ignored). */
export function gridOf(grants: readonly Grant[] | null | undefined): Grid {
  const g: Grid = {};
  for (const x of grants ?? []) {
    if (!isPrivilege(x.privilege) || !isDepth(x.depth) || x.depth === 'none') continue;
    (g[x.entity] ??= {})[x.privilege] = x.depth;
  }
  return g;
}

/** The grid with one cell changed (a new object: the grid is React state). */
export function setCell(grid: Grid, entity: string, privilege: Privilege, depth: Depth): Grid {
  const row = { ...(grid[entity] ?? {}) };
  if (depth === 'none') delete row[privilege];
  else row[privilege] = depth;
  const next = { ...grid };
  if (Object.keys(row).length === 0) delete next[entity];
  else next[entity] = row;
  return next;
}

/**
 * The body of PUT /security/roles/{id}/privileges: every cell but `none`, the `*` row first, then
 * entities by name, privileges in the API's order — stable, so equal grids send equal bodies.
 */
export function privilegesBody(grid: Grid): { privileges: Grant[] } {
  const entities = Object.keys(grid).sort((a, b) => (a === WILDCARD ? -1 : b === WILDCARD ? 1 : a.localeCompare(b)));
  const privileges: Grant[] = [];
  for (const entity of entities) {
    for (const privilege of PRIVILEGES) {
      const depth = grid[entity]?.[privilege];
      if (depth && depth !== 'none') privileges.push({ entity, privilege, depth });
    }
  }
  return { privileges };
}

const path = (s: string) => encodeURIComponent(s);

export async function listRoles(): Promise<Role[]> {
  return (await api<{ value: Role[] }>('security/roles')).data.value;
}
export async function getRole(id: string): Promise<Role> {
  return (await api<Role>(`security/roles/${path(id)}`)).data;
}
export async function createRole(body: { name: string; description: string }): Promise<Role> {
  return (await api<Role>('security/roles', { method: 'POST', body: { ...body, is_admin: false, privileges: [] } })).data;
}
export async function savePrivileges(id: string, grid: Grid): Promise<Role> {
  return (await api<Role>(`security/roles/${path(id)}/privileges`, { method: 'PUT', body: privilegesBody(grid) })).data;
}
export async function roleMembers(id: string): Promise<string[]> {
  return (await api<{ value: string[] }>(`security/roles/${path(id)}/members`)).data.value;
}
export async function addRoleMember(id: string, principal: string): Promise<void> {
  await api(`security/roles/${path(id)}/members`, { method: 'POST', body: { principal_id: principal } });
}
export async function removeRoleMember(id: string, principal: string): Promise<void> {
  await api(`security/roles/${path(id)}/members/${path(principal)}`, { method: 'DELETE' });
}
