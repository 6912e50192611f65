// The one-to-many navigations of an entity, derived from metadata the way the server names them
// (internal/metadata/model.go): every lookup of another entity to this one is a navigation on this
// one, called by the lookup's reverse_name, else the referencing set's name when that entity has
// only one lookup to this one, else "<set>_<lookup stem>".
import type { AttributeDefinition, EntityDefinition } from '../../api/types';
import { navName, setName } from '../../api/metadata';

export interface OneToMany {
  /** The navigation's name: GET /api/v1/<set>(<id>)/<name>. */
  name: string;
  /** The entity on the many side (e.g. contact for an account's contacts). */
  from: EntityDefinition;
  /** The lookup on `from` that points to the record. */
  lookup: AttributeDefinition;
}

/** The one-to-many navigations of `entity` (sorted by the many side's name), read-only unions left out. */
export function oneToManyNavigations(entity: EntityDefinition, all: readonly EntityDefinition[]): OneToMany[] {
  const out: OneToMany[] = [];
  for (const e of all) {
    if (e.union?.length) continue;
    const lookups = (e.attributes ?? []).filter((a) => a.type === 'lookup');
    for (const a of lookups) {
      if (a.target !== entity.name) continue;
      let name = a.reverse_name;
      if (!name) {
        const same = lookups.filter((l) => l.target === a.target).length;
        name = same === 1 && e.name !== a.target ? setName(e) : `${setName(e)}_${navName(a)}`;
      }
      out.push({ name, from: e, lookup: a });
    }
  }
  return out.sort((x, y) => x.name.localeCompare(y.name));
}

/** The activity union entity (`activity`) when the metadata has one, and its member entities. */
export function activityEntities(all: readonly EntityDefinition[]): { union: EntityDefinition; members: EntityDefinition[] } | undefined {
  const union = all.find((e) => e.name === 'activity' && e.union?.length);
  if (!union) return undefined;
  const members = (union.union ?? []).flatMap((n) => all.filter((e) => e.name === n));
  return { union, members };
}

/** Whether records of `entity` can have activities regarding them (not activities themselves). */
export function hasTimeline(entity: EntityDefinition, all: readonly EntityDefinition[]): boolean {
  const acts = activityEntities(all);
  if (!acts) return false;
  return entity.name !== acts.union.name && !acts.union.union?.includes(entity.name);
}
