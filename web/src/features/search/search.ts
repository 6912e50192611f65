// The global search: requests to GET /api/v1/search and the small pieces of logic the header box
// and the results page share (kept here, with tests).
import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { components } from '../../api/schema';

export type SearchHit = components['schemas']['SearchHit'];
export type SearchResult = components['schemas']['SearchResult'];

/** `search?q=…&top=…[&entities=…]`, each part encoded. */
export function searchPath(q: string, opts: { top?: number; entities?: string[] } = {}): string {
  const parts = [`q=${encodeURIComponent(q.trim())}`];
  if (opts.top) parts.push(`top=${opts.top}`);
  if (opts.entities?.length) parts.push(`entities=${encodeURIComponent(opts.entities.join(','))}`);
  return `search?${parts.join('&')}`;
}

/** The page of a hit's record in the client. */
export function hitPath(h: Pick<SearchHit, 'set' | 'id'>): string {
  return `/${h.set}/${encodeURIComponent(h.id)}`;
}

/** The client's results page for q. */
export function resultsPath(q: string): string {
  return `/search?q=${encodeURIComponent(q.trim())}`;
}

/** Whether q is worth sending (the server refuses blank text). */
export function searchable(q: string): boolean {
  return q.trim().length > 0;
}

/** Hits of q, best first (disabled for blank text). */
export function useSearch(q: string, opts: { top?: number; entities?: string[] } = {}, enabled = true) {
  return useQuery({
    queryKey: ['search', q.trim(), opts.top ?? 20, opts.entities?.join(',') ?? ''],
    enabled: enabled && searchable(q),
    // value: the hits; match "any" when none held every word and these hold some of them.
    queryFn: async ({ signal }) => (await api<SearchResult>(searchPath(q, opts), { signal })).data,
    staleTime: 5_000,
    placeholderData: (prev) => prev,
  });
}

/**
 * The next active option of the type-ahead list after an arrow key: -1 is the text box itself
 * (Enter then opens the results page); the list wraps around through it.
 */
export function moveActive(active: number, delta: 1 | -1, count: number): number {
  if (count <= 0) return -1;
  const next = active + delta;
  if (next >= count) return -1;
  if (next < -1) return count - 1;
  return next;
}

/**
 * Whether a "/" typed on element should stay text rather than focus the search box: in inputs,
 * text areas, selects and editable content.
 */
export function isEditable(el: Element | null): boolean {
  if (!el) return false;
  const tag = el.tagName.toLowerCase();
  if (tag === 'textarea' || tag === 'select') return true;
  if (tag === 'input') {
    const type = (el.getAttribute('type') ?? 'text').toLowerCase();
    return !['checkbox', 'radio', 'button', 'submit', 'reset', 'file', 'range', 'color'].includes(type);
  }
  return (el as HTMLElement).isContentEditable === true || el.getAttribute('contenteditable') === 'true';
}

/** The distinct entities of hits in rank order of their best hit (the results page's filter). */
export function entitiesOf(hits: SearchHit[]): string[] {
  const out: string[] = [];
  for (const h of hits) if (!out.includes(h.entity)) out.push(h.entity);
  return out;
}
