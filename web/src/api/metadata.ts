// Entity metadata from GET /api/v1/metadata/entities: the source of navigation, columns and forms.
import { useQuery } from '@tanstack/react-query';
import { api } from './client';
import type { AttributeDefinition, EntityDefinition, Label } from './types';

export function useEntities() {
  return useQuery({
    queryKey: ['metadata', 'entities'],
    queryFn: async () => (await api<{ value: EntityDefinition[] }>('metadata/entities')).data.value,
    staleTime: 60_000,
  });
}

/** The entity whose set name is `set`, once metadata is loaded. */
export function useEntity(set: string | undefined) {
  const q = useEntities();
  const entity = q.data?.find((e) => (e.set_name ?? e.name) === set);
  return { ...q, entity };
}

/** The text of a bilingual label in `lang`, falling back to the other language, then `fallback`. */
export function label(l: Label | undefined, lang: string, fallback = ''): string {
  if (!l) return fallback;
  const zh = lang.startsWith('zh');
  return (zh ? l.zh || l.en : l.en || l.zh) || fallback;
}

export function entityLabel(e: EntityDefinition, lang: string): string {
  return label(e.display_name, lang, e.name);
}

export function entityPluralLabel(e: EntityDefinition, lang: string): string {
  return label(e.plural_name, lang, '') || entityLabel(e, lang);
}

export function attributeLabel(a: AttributeDefinition, lang: string): string {
  return label(a.display_name, lang, a.name);
}

export function setName(e: EntityDefinition): string {
  return e.set_name ?? `${e.name}s`;
}

export function primaryName(e: EntityDefinition): string {
  return e.primary_name ?? e.attributes?.find((a) => a.type === 'string')?.name ?? 'id';
}

/** Where an expanded lookup appears in a record: `account_id` expands as `account`. */
export function navName(a: AttributeDefinition): string {
  return a.name.endsWith('_id') ? a.name.slice(0, -3) : a.name;
}

const LIST_TYPES = new Set(['string', 'email', 'phone', 'choice', 'money', 'integer', 'decimal', 'date', 'datetime', 'lookup', 'boolean', 'autonumber', 'url']);

/** The default columns of a list: the primary name and the next few listable attributes. */
export function defaultColumns(e: EntityDefinition, max = 6): AttributeDefinition[] {
  const attrs = e.attributes ?? [];
  const primary = attrs.find((a) => a.name === primaryName(e));
  const rest = attrs.filter((a) => a !== primary && LIST_TYPES.has(a.type) && a.target !== '*');
  return [...(primary ? [primary] : []), ...rest].slice(0, max);
}
