// The designer's requests to the metadata API, and the invalidation that makes a change appear
// at once in the navigation, lists and record forms (they all read ['metadata', …]).
import type { QueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { AttributeDefinition, EntityDefinition } from '../../api/types';

const path = (s: string) => encodeURIComponent(s);
const forced = (force: boolean) => (force ? '?force=true' : '');

export async function createEntity(body: EntityDefinition): Promise<EntityDefinition> {
  return (await api<EntityDefinition>('metadata/entities', { method: 'POST', body })).data;
}

export async function deleteEntity(name: string, force = false): Promise<void> {
  await api(`metadata/entities/${path(name)}${forced(force)}`, { method: 'DELETE' });
}

export async function addAttribute(entity: string, body: AttributeDefinition): Promise<AttributeDefinition> {
  return (await api<AttributeDefinition>(`metadata/entities/${path(entity)}/attributes`, { method: 'POST', body })).data;
}

export async function updateAttribute(entity: string, attr: string, body: Partial<AttributeDefinition>, force = false): Promise<AttributeDefinition> {
  return (await api<AttributeDefinition>(`metadata/entities/${path(entity)}/attributes/${path(attr)}${forced(force)}`, { method: 'PATCH', body })).data;
}

export async function deleteAttribute(entity: string, attr: string, force = false): Promise<void> {
  await api(`metadata/entities/${path(entity)}/attributes/${path(attr)}${forced(force)}`, { method: 'DELETE' });
}

/** After any change to the data model: metadata, and the lists and records shaped by it. */
export async function afterModelChange(qc: QueryClient): Promise<void> {
  await qc.invalidateQueries({ queryKey: ['metadata'] });
  await qc.invalidateQueries({ queryKey: ['list'] });
  await qc.invalidateQueries({ queryKey: ['record'] });
}
