// Business units, users and teams: they are records (/business_units, /users, /teams), so this
// module holds the few requests the administration pages make and the unit tree built from the
// flat list of units (parent_business_unit_id).
import { api, toLocalPath } from '../../api/client';
import { listPath, recordPath } from '../../api/odata';
import { listRoles, roleMembers } from './roles';
import type { Role } from './roles';

export interface Unit {
  id: string;
  name: string;
  parent_business_unit_id?: string | null;
  '@odata.etag'?: string;
}
export interface UnitNode {
  unit: Unit;
  depth: number;
  children: UnitNode[];
}
export interface User {
  id: string;
  full_name: string;
  email?: string | null;
  business_unit_id?: string | null;
  is_disabled?: boolean | null;
  '@odata.etag'?: string;
}
export interface Team {
  id: string;
  name: string;
  team_type?: string | null;
  business_unit_id?: string | null;
  '@odata.etag'?: string;
}

/**
 * The unit tree from flat records: roots are units without a parent or whose parent is not in the
 * list; children sorted by name. A cycle (which the server should not allow) cannot loop: every
 * unit is placed once, and units only reachable through a cycle become roots.
 */
export function buildTree(units: readonly Unit[], locale?: string): UnitNode[] {
  const byId = new Map(units.map((u) => [u.id, u]));
  const kids = new Map<string, Unit[]>();
  const roots: Unit[] = [];
  for (const u of units) {
    const p = u.parent_business_unit_id;
    if (p && p !== u.id && byId.has(p)) {
      const list = kids.get(p) ?? [];
      list.push(u);
      kids.set(p, list);
    } else roots.push(u);
  }
  const byName = (a: Unit, b: Unit) => a.name.localeCompare(b.name, locale) || a.id.localeCompare(b.id);
  const placed = new Set<string>();
  const make = (u: Unit, depth: number): UnitNode => {
    placed.add(u.id);
    const children = (kids.get(u.id) ?? []).filter((c) => !placed.has(c.id)).sort(byName).map((c) => make(c, depth + 1));
    return { unit: u, depth, children };
  };
  const tree = roots.sort(byName).map((u) => make(u, 0));
  // Units in a cycle were never reached from a root: show them at the top level.
  for (const u of [...units].sort(byName)) if (!placed.has(u.id)) tree.push(make(u, 0));
  return tree;
}

/** The tree in display order (depth-first), for selects: each unit with its depth. */
export function flatten(tree: readonly UnitNode[]): { unit: Unit; depth: number }[] {
  const out: { unit: Unit; depth: number }[] = [];
  const walk = (n: UnitNode) => {
    out.push({ unit: n.unit, depth: n.depth });
    n.children.forEach(walk);
  };
  tree.forEach(walk);
  return out;
}

/** Every page of a set (administration lists are small; follows @odata.nextLink). */
async function all<T>(path: string): Promise<T[]> {
  const out: T[] = [];
  let next: string | undefined = path;
  while (next) {
    const r: { data: { value: T[]; '@odata.nextLink'?: string } } = await api(next);
    out.push(...r.data.value);
    const link = r.data['@odata.nextLink'];
    next = link ? toLocalPath(link) : undefined;
  }
  return out;
}

export const UNITS_KEY = ['org', 'units'] as const;
export const USERS_KEY = ['org', 'users'] as const;
export const TEAMS_KEY = ['org', 'teams'] as const;

export const listUnits = () => all<Unit>(listPath('business_units', { select: ['id', 'name', 'parent_business_unit_id'], orderby: 'name' }));
export const listUsers = () => all<User>(listPath('users', { select: ['id', 'full_name', 'email', 'business_unit_id', 'is_disabled'], orderby: 'full_name' }));
export const listTeams = () => all<Team>(listPath('teams', { select: ['id', 'name', 'team_type', 'business_unit_id'], orderby: 'name' }));

function ifMatch(r: { '@odata.etag'?: string }): Record<string, string> {
  return r['@odata.etag'] ? { 'If-Match': r['@odata.etag'] } : {};
}

export async function createUnit(name: string, parent: string): Promise<Unit> {
  return (await api<Unit>('business_units', { method: 'POST', body: { name, parent_business_unit_id: parent } })).data;
}
export async function renameUnit(unit: Unit, name: string): Promise<void> {
  await api(recordPath('business_units', unit.id), { method: 'PATCH', body: { name }, headers: ifMatch(unit) });
}
export async function patchUser(user: User, body: Partial<Pick<User, 'business_unit_id' | 'is_disabled'>>): Promise<void> {
  await api(recordPath('users', user.id), { method: 'PATCH', body, headers: ifMatch(user) });
}
/** What the New user form holds. */
export interface NewUser {
  email: string;
  full_name: string;
  password: string;
  business_unit_id: string;
  roles: string[];
}
/** The body of POST /security/users: trimmed, no blank unit (the server then uses the root unit). */
export function newUserBody(u: NewUser): { email: string; full_name: string; password: string; business_unit_id?: string; roles: string[] } {
  const body: ReturnType<typeof newUserBody> = { email: u.email.trim(), full_name: u.full_name.trim(), password: u.password, roles: [...u.roles] };
  if (u.business_unit_id) body.business_unit_id = u.business_unit_id;
  return body;
}
/** Creates a user who can sign in (administrators): the record, its password and its roles at once. */
export async function createUser(u: NewUser): Promise<User> {
  return (await api<User>('security/users', { method: 'POST', body: newUserBody(u) })).data;
}
export async function createTeam(body: { name: string; team_type: string; business_unit_id: string }): Promise<Team> {
  return (await api<Team>('teams', { method: 'POST', body })).data;
}
export async function getTeam(id: string): Promise<Team> {
  return (await api<Team>(`${recordPath('teams', id)}?$select=id,name,team_type,business_unit_id`)).data;
}
export async function teamMembers(id: string): Promise<User[]> {
  return all<User>(listPath(`${recordPath('teams', id)}/members`, { select: ['id', 'full_name', 'email'], orderby: 'full_name' }));
}
/** POST teams(<id>)/members/$ref {"@odata.id":"users(<user>)"} */
export function memberRefBody(user: string): { '@odata.id': string } {
  return { '@odata.id': recordPath('users', user) };
}
export async function addTeamMember(team: string, user: string): Promise<void> {
  await api(`${recordPath('teams', team)}/members/$ref`, { method: 'POST', body: memberRefBody(user) });
}
/** DELETE teams(<id>)/members(<user>)/$ref */
export async function removeTeamMember(team: string, user: string): Promise<void> {
  await api(`${recordPath('teams', team)}/${recordPath('members', user)}/$ref`, { method: 'DELETE' });
}

/** principal id → the roles it holds: one GET …/members per role (fine for a few dozen roles). */
export async function rolesByPrincipal(): Promise<Map<string, Role[]>> {
  const roles = await listRoles();
  const members = await Promise.all(roles.map((r) => roleMembers(r.id).catch(() => [] as string[])));
  const out = new Map<string, Role[]>();
  roles.forEach((r, i) => {
    for (const m of members[i] ?? []) out.set(m, [...(out.get(m) ?? []), r]);
  });
  return out;
}


/** A team type's label (owner / access), translated. */
export function teamTypeLabel(type: string | null | undefined, t: (k: 'org.type.owner' | 'org.type.access') => string): string {
  return type === 'owner' || type === 'access' ? t(`org.type.${type}`) : (type ?? '');
}
