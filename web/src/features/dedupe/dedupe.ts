// Duplicate detection and merge (docs/api.md, "Duplicates and merge"): the candidates of a
// record, the merge bound action and its undo, and the pure helpers the dialog uses.
import { api } from '../../api/client';
import { recordPath } from '../../api/odata';
import type { components } from '../../api/schema';
import type { AttributeDefinition, EntityRecord } from '../../api/types';

export type Candidate = components['schemas']['DuplicateCandidate'];
export type Merge = components['schemas']['Merge'];

/** The entities with duplicate detection and merge. */
export const dedupeEntities = ['account', 'contact', 'lead'];

/** Query keys a merge or its undo makes stale. */
export const staleAfterMerge = ['list', 'related', 'record', 'audit', 'duplicates', 'timeline', 'home'];

/** The annotation with which a create answers the new record's possible duplicates. */
export const duplicatesAnnotation = '@meridian.duplicates';

/** The possible duplicates a create answered with (none when the annotation is missing). */
export function duplicatesOf(created: EntityRecord): Candidate[] {
  const v = created[duplicatesAnnotation];
  return Array.isArray(v) ? (v as Candidate[]) : [];
}

/** The possible duplicates of stored record id, best first. */
export async function findDuplicates(set: string, id: string): Promise<Candidate[]> {
  const res = await api<{ value: Candidate[] }>(`${set}/$duplicates`, { method: 'POST', body: { id } });
  return res.data.value;
}

/** Which record's value the survivor keeps, per attribute. */
export type Winners = Record<string, 'survivor' | 'other'>;

/** The attributes a merge can choose between: editable ones whose values differ. */
export function differingFields(attrs: AttributeDefinition[], a: EntityRecord, b: EntityRecord): AttributeDefinition[] {
  return attrs.filter((x) => x.type !== 'autonumber' && !sameValue(a[x.name], b[x.name]));
}

function sameValue(x: unknown, y: unknown): boolean {
  const blank = (v: unknown) => v === null || v === undefined || v === '';
  if (blank(x) && blank(y)) return true;
  return JSON.stringify(x) === JSON.stringify(y);
}

/**
 * Default winners: the survivor's value, unless it is blank and the other record has one.
 */
export function defaultWinners(fields: AttributeDefinition[], survivor: EntityRecord): Winners {
  const w: Winners = {};
  for (const f of fields) {
    const v = survivor[f.name];
    w[f.name] = v === null || v === undefined || v === '' ? 'other' : 'survivor';
  }
  return w;
}

/** The body of the merge action: the other record merged, and the fields it wins. */
export function mergeBody(otherId: string, winners: Winners): { merge: string[]; fields: Record<string, string> } {
  const fields: Record<string, string> = {};
  for (const [name, w] of Object.entries(winners)) if (w === 'other') fields[name] = otherId;
  return { merge: [otherId], fields };
}

/** Merges record otherId into survivorId. */
export async function mergeRecords(set: string, survivorId: string, otherId: string, winners: Winners): Promise<Merge> {
  const res = await api<Merge>(`${recordPath(set, survivorId)}/merge`, { method: 'POST', body: mergeBody(otherId, winners) });
  return res.data;
}

/** Undoes merge id. */
export async function undoMerge(id: string): Promise<Merge> {
  const res = await api<Merge>(`merges/${encodeURIComponent(id)}/undo`, { method: 'POST' });
  return res.data;
}
