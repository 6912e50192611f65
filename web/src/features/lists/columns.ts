// The columns a user chose for an entity's list, remembered in the browser per entity.
import type { AttributeDefinition, EntityDefinition } from '../../api/types';
import { defaultColumns, primaryName } from '../../api/metadata';

const KEY = 'meridian.columns.';

/** Attributes that can be a list column (everything but long text, JSON and polymorphic lookups). */
export function listable(e: EntityDefinition): AttributeDefinition[] {
  return (e.attributes ?? []).filter((a) => a.type !== 'text' && a.type !== 'json' && !(a.type === 'lookup' && a.target === '*'));
}

/** The remembered choice of columns for entity `name`, or undefined for the default. */
export function savedColumns(name: string): string[] | undefined {
  try {
    const v = JSON.parse(localStorage.getItem(KEY + name) ?? 'null') as unknown;
    return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
  } catch {
    return undefined;
  }
}

/** Remembers the columns (undefined forgets them: back to the default). */
export function saveColumns(name: string, cols: string[] | undefined): void {
  try {
    if (cols) localStorage.setItem(KEY + name, JSON.stringify(cols));
    else localStorage.removeItem(KEY + name);
  } catch {
    // storage unavailable: the choice lasts for this page only
  }
}

/**
 * The columns shown: the chosen ones that still exist (in metadata order, the primary name
 * always first), else the default ones.
 */
export function shownColumns(e: EntityDefinition, chosen: string[] | undefined): AttributeDefinition[] {
  if (!chosen?.length) return defaultColumns(e);
  const primary = primaryName(e);
  const attrs = listable(e).filter((a) => a.name === primary || chosen.includes(a.name));
  const p = attrs.find((a) => a.name === primary);
  return p ? [p, ...attrs.filter((a) => a !== p)] : attrs;
}
