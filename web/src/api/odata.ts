// Building OData query strings for entity sets.

/** A string literal in an OData expression: quotes doubled. */
export function literal(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** `contains(attr,'text')` (case-insensitive on the server), or undefined for empty text. */
export function containsFilter(attr: string, text: string): string | undefined {
  const t = text.trim();
  return t ? `contains(${attr},${literal(t)})` : undefined;
}

export interface ListQuery {
  select?: string[];
  orderby?: string;
  filter?: string | undefined;
  expand?: string[];
  top?: number;
  count?: boolean;
}

/** `set?$select=…&$orderby=…` with each option encoded. */
export function listPath(set: string, q: ListQuery): string {
  const parts: string[] = [];
  const add = (k: string, v: string) => parts.push(`${k}=${encodeURIComponent(v)}`);
  if (q.select?.length) add('$select', q.select.join(','));
  if (q.filter) add('$filter', q.filter);
  if (q.orderby) add('$orderby', q.orderby);
  if (q.expand?.length) add('$expand', q.expand.join(','));
  if (q.top) add('$top', String(q.top));
  if (q.count) add('$count', 'true');
  return parts.length ? `${set}?${parts.join('&')}` : set;
}

/** The path of one record: `accounts(0193…)`. */
export function recordPath(set: string, id: string): string {
  return `${set}(${encodeURIComponent(id)})`;
}
