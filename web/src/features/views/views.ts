// Saved list views (GET|POST /views, PATCH|DELETE /views/{id}): the list state a view keeps, the
// request bodies, whether the list shown differs from the chosen view, and the $batch bodies of
// bulk edit (one atomic change set) and bulk assign (one operation per row).
import { api } from '../../api/client';
import { recordPath } from '../../api/odata';
import type { components } from '../../api/schema';
import type { EntityRecord } from '../../api/types';
import type { FilterModel } from '../lists/filter';
import { EMPTY_FILTER, parseModel } from '../lists/filter';

export type SavedView = components['schemas']['SavedView'];
export type SavedViewCreate = components['schemas']['SavedViewCreate'];
export type SavedViewUpdate = components['schemas']['SavedViewUpdate'];

/** What a view restores on the list page: the builder model, quick search, order and columns. */
export interface ListState {
  model: FilterModel;
  q: string;
  sort: string;
  desc: boolean;
  columns: string[];
}

/** The model a view stores: the filter builder's, plus the quick search text when there is one. */
export type StoredModel = FilterModel & { q?: string };

export async function listViews(set: string): Promise<SavedView[]> {
  return (await api<{ value: SavedView[] }>(`views?entity=${encodeURIComponent(set)}`)).data.value;
}
export async function createView(body: SavedViewCreate): Promise<SavedView> {
  return (await api<SavedView>('views', { method: 'POST', body })).data;
}
export async function updateView(id: string, body: SavedViewUpdate): Promise<SavedView> {
  return (await api<SavedView>(`views/${encodeURIComponent(id)}`, { method: 'PATCH', body })).data;
}
export async function deleteView(id: string): Promise<void> {
  await api(`views/${encodeURIComponent(id)}`, { method: 'DELETE' });
}

/** The `order_by` text of a sort (`revenue desc`), empty without one. */
export function orderText(sort: string, desc: boolean): string {
  return sort ? `${sort} ${desc ? 'desc' : 'asc'}` : '';
}

/** The fields of a view body that describe the list: model, its $filter, columns and order. */
export function stateBody(s: ListState, filter: string | undefined): Required<Pick<SavedViewUpdate, 'filter_model' | 'filter' | 'columns' | 'order_by'>> {
  const model: StoredModel = { join: s.model.join, rows: s.model.rows };
  if (s.q.trim()) model.q = s.q.trim();
  return { filter_model: model, filter: filter ?? '', columns: [...s.columns], order_by: orderText(s.sort, s.desc) };
}

/** The list state a saved view describes. */
export function stateOf(v: SavedView): ListState {
  const raw = (v.filter_model ?? null) as Partial<StoredModel> | null;
  const model = raw && typeof raw === 'object' ? parseModel(JSON.stringify(raw)) : EMPTY_FILTER;
  const [sort = '', dir = ''] = (v.order_by ?? '').trim().split(/\s+/);
  return {
    model,
    q: raw && typeof raw.q === 'string' ? raw.q : '',
    sort,
    desc: dir.toLowerCase() === 'desc',
    columns: [...(v.columns ?? [])],
  };
}

/** The URL parameters that show a view's state (`view`, `f`, `q`, `sort`, `dir`), others kept. */
export function paramsFor(v: SavedView | undefined, current: URLSearchParams): URLSearchParams {
  const next = new URLSearchParams(current);
  for (const k of ['view', 'f', 'q', 'sort', 'dir']) next.delete(k);
  if (!v) return next;
  const s = stateOf(v);
  next.set('view', v.id);
  if (s.model.rows.length) next.set('f', JSON.stringify(s.model));
  if (s.q) next.set('q', s.q);
  if (s.sort) next.set('sort', s.sort);
  if (s.desc) next.set('dir', 'desc');
  return next;
}

function sameModel(a: FilterModel, b: FilterModel): boolean {
  const norm = (m: FilterModel) => JSON.stringify({ join: m.rows.length > 1 ? m.join : 'and', rows: m.rows.map((r) => ({ attr: r.attr, op: r.op, value: r.value, values: r.values ?? [] })) });
  return norm(a) === norm(b);
}

/** Whether the list shown differs from view `v` (filter, search, order or columns). */
export function isModified(v: SavedView, s: ListState): boolean {
  const saved = stateOf(v);
  const cols = (c: string[]) => [...c].sort().join(',');
  return (
    !sameModel(saved.model, s.model) ||
    saved.q.trim() !== s.q.trim() ||
    orderText(saved.sort, saved.desc) !== orderText(s.sort, s.desc) ||
    (saved.columns.length > 0 && cols(saved.columns) !== cols(s.columns))
  );
}

/** One operation of a JSON $batch request. */
export interface BatchOp {
  id: string;
  atomicityGroup?: string;
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
}
export interface BatchResponse {
  responses: { id: string; status: number; body?: unknown }[];
}

/** A row a bulk action works on: its id, ETag and the name to report it by. */
export interface BulkRow {
  id: string;
  etag?: string | undefined;
  name: string;
}

export function bulkRows(records: readonly EntityRecord[], ids: Iterable<string>, primary: string): BulkRow[] {
  const out: BulkRow[] = [];
  for (const id of ids) {
    const r = records.find((x) => String(x.id) === id);
    out.push({ id, etag: r?.['@odata.etag'], name: String(r?.[primary] ?? id) });
  }
  return out;
}

/** Bulk edit: one PATCH per row with its If-Match, all in one atomicity group (one transaction). */
export function editBatch(set: string, rows: readonly BulkRow[], body: Record<string, unknown>): { requests: BatchOp[] } {
  return {
    requests: rows.map((r, i) => ({
      id: String(i + 1),
      atomicityGroup: 'edit',
      method: 'PATCH',
      url: recordPath(set, r.id),
      ...(r.etag ? { headers: { 'If-Match': r.etag } } : {}),
      body,
    })),
  };
}

/** Bulk assign: one assign action per row, independent of each other (each may fail alone). */
export function assignBatch(set: string, rows: readonly BulkRow[], owner: string): { requests: BatchOp[] } {
  return { requests: rows.map((r, i) => ({ id: String(i + 1), method: 'POST', url: `${recordPath(set, r.id)}/assign`, body: { owner_id: owner } })) };
}

/** A row's failure in a batch: its name, the error code, message and target. */
export interface RowFailure {
  name: string;
  code: string;
  message: string;
  target?: string | undefined;
}

/**
 * The outcome of a batch over `rows` (operation i+1 is row i): how many succeeded and the rows
 * that failed with their own error. Rows rolled back only because another failed (424) are not
 * listed as failures but counted in `rolledBack`.
 */
export function batchOutcome(rows: readonly BulkRow[], res: BatchResponse): { ok: number; failures: RowFailure[]; rolledBack: number } {
  let ok = 0;
  let rolledBack = 0;
  const failures: RowFailure[] = [];
  for (const r of res.responses) {
    const row = rows[Number(r.id) - 1];
    if (r.status < 400) {
      ok++;
      continue;
    }
    if (r.status === 424) {
      rolledBack++;
      continue;
    }
    const err = (r.body as { error?: { code?: string; message?: string; target?: string; details?: { code: string; message: string; target?: string }[] } } | undefined)?.error;
    const d = err?.details?.[0] ?? err;
    failures.push({ name: row?.name ?? r.id, code: d?.code ?? `http_${r.status}`, message: d?.message ?? '', target: d?.target });
  }
  return { ok, failures, rolledBack };
}

export async function runBatch(body: { requests: BatchOp[] }): Promise<BatchResponse> {
  return (await api<BatchResponse>('$batch', { method: 'POST', body })).data;
}
