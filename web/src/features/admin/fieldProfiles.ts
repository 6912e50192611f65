// Field security profiles (/security/field-profiles): which users and teams may read, set on
// create and change each secured field. The grid of the pages is keyed by "entity.attribute".
import { api } from '../../api/client';
import type { AttributeDefinition, EntityDefinition } from '../../api/types';
import { attributeLabel, entityLabel } from '../../api/metadata';

export interface FieldPermission {
  entity: string;
  attribute: string;
  read: boolean;
  create: boolean;
  update: boolean;
}
export interface FieldProfile {
  id: string;
  name: string;
  description?: string;
  permissions: FieldPermission[];
  members: string[];
  created_at: string;
}

export const FIELD_RIGHTS = ['read', 'create', 'update'] as const;
export type FieldRight = (typeof FIELD_RIGHTS)[number];
export type FieldGrid = Record<string, Record<FieldRight, boolean>>;
export const PROFILES_KEY = ['security', 'field-profiles'] as const;

/** A secured field of the metadata, with its labels in the current language. */
export interface SecuredField {
  entity: string;
  attribute: string;
  label: string;
}

/** Every attribute marked secured, by entity label then field label. */
export function securedFields(entities: readonly EntityDefinition[], lang: string): SecuredField[] {
  const out: SecuredField[] = [];
  for (const e of entities) {
    for (const a of (e.attributes ?? []) as AttributeDefinition[]) {
      if (a.secured) out.push({ entity: e.name, attribute: a.name, label: `${entityLabel(e, lang)} · ${attributeLabel(a, lang)}` });
    }
  }
  return out.sort((x, y) => x.label.localeCompare(y.label, lang));
}

export const cellKey = (entity: string, attribute: string) => `${entity}.${attribute}`;

/** The grid of a profile's permissions. */
export function fieldGridOf(perms: readonly FieldPermission[] | null | undefined): FieldGrid {
  const g: FieldGrid = {};
  for (const p of perms ?? []) g[cellKey(p.entity, p.attribute)] = { read: p.read, create: p.create, update: p.update };
  return g;
}

/** The permissions of a grid: one per field with at least one right, in a stable order. */
export function permissionsOf(grid: FieldGrid): FieldPermission[] {
  return Object.keys(grid)
    .sort()
    .filter((k) => FIELD_RIGHTS.some((r) => grid[k]![r]))
    .map((k) => {
      const dot = k.indexOf('.');
      const c = grid[k]!;
      return { entity: k.slice(0, dot), attribute: k.slice(dot + 1), read: c.read, create: c.create, update: c.update };
    });
}

/** The grid with one right of one field switched. */
export function toggleRight(grid: FieldGrid, key: string, right: FieldRight, on: boolean): FieldGrid {
  const cell = grid[key] ?? { read: false, create: false, update: false };
  return { ...grid, [key]: { ...cell, [right]: on } };
}

export async function listProfiles(): Promise<FieldProfile[]> {
  return (await api<{ value: FieldProfile[] }>('security/field-profiles')).data.value;
}
export async function getProfile(id: string): Promise<FieldProfile> {
  return (await api<FieldProfile>(`security/field-profiles/${encodeURIComponent(id)}`)).data;
}
export async function createProfile(body: { name: string; description: string; permissions: FieldPermission[] }): Promise<FieldProfile> {
  return (await api<FieldProfile>('security/field-profiles', { method: 'POST', body })).data;
}
export async function savePermissions(id: string, grid: FieldGrid): Promise<FieldProfile> {
  return (await api<FieldProfile>(`security/field-profiles/${encodeURIComponent(id)}/permissions`, { method: 'PUT', body: { permissions: permissionsOf(grid) } })).data;
}
export async function addProfileMember(id: string, principal: string): Promise<void> {
  await api(`security/field-profiles/${encodeURIComponent(id)}/members`, { method: 'POST', body: { principal_id: principal } });
}
export async function removeProfileMember(id: string, principal: string): Promise<void> {
  await api(`security/field-profiles/${encodeURIComponent(id)}/members/${encodeURIComponent(principal)}`, { method: 'DELETE' });
}
