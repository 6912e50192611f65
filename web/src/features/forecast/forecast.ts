// The sales forecast of a period, computed by the server with $apply (one aggregation for the
// open opportunities closing in the period, per owner, forecast category and currency; one for
// those won in it): the queries, the periods and the pivot into rows per owner.

export type Category = 'pipeline' | 'best_case' | 'committed' | 'omitted';
export const CATEGORIES: Category[] = ['pipeline', 'best_case', 'committed'];
export type Column = 'pipeline' | 'best_case' | 'committed' | 'won';
export const COLUMNS: Column[] = ['pipeline', 'best_case', 'committed', 'won'];

export type PeriodKind = 'this_quarter' | 'next_quarter' | 'this_year';
export const PERIODS: PeriodKind[] = ['this_quarter', 'next_quarter', 'this_year'];

export interface Period {
  from: string; // inclusive, YYYY-MM-DD
  to: string; // exclusive
}

const iso = (y: number, m: number) => `${y}-${String(m + 1).padStart(2, '0')}-01`;

/** The dates of a period around `now` (calendar quarters and years). */
export function periodOf(kind: PeriodKind, now = new Date()): Period {
  const y = now.getFullYear();
  const q = Math.floor(now.getMonth() / 3);
  if (kind === 'this_year') return { from: iso(y, 0), to: iso(y + 1, 0) };
  const start = kind === 'this_quarter' ? q * 3 : q * 3 + 3;
  const sy = y + Math.floor(start / 12);
  const sm = start % 12;
  const em = sm + 3;
  return { from: iso(sy, sm), to: iso(sy + Math.floor(em / 12), em % 12) };
}

/** `$apply` of the open opportunities expected to close in the period. */
export function openApply(p: Period): string {
  return `filter(status eq 'open' and close_date ge ${p.from} and close_date lt ${p.to})` +
    '/groupby((owner_id,forecast_category,amount_currency),aggregate(amount with sum as total,$count as n))';
}

/** `$apply` of the opportunities won in the period. */
export function wonApply(p: Period): string {
  return `filter(status eq 'won' and actual_close_date ge ${p.from} and actual_close_date lt ${p.to})` +
    '/groupby((owner_id,amount_currency),aggregate(amount with sum as total,$count as n))';
}

export interface AggregateRow {
  owner_id?: string | null;
  forecast_category?: string | null;
  amount_currency?: string | null;
  total?: number | string | null;
  n: number | string;
}

/** Sums per currency (amounts in different currencies are never added together). */
export type Sums = Record<string, number>;

export interface OwnerRow {
  owner: string; // user id, or '' for none
  cells: Record<Column, Sums>;
  count: number;
}

function empty(): Record<Column, Sums> {
  return { pipeline: {}, best_case: {}, committed: {}, won: {} };
}

function add(s: Sums, currency: string, v: number) {
  s[currency] = (s[currency] ?? 0) + v;
}

/**
 * Rows per owner (and a total row) from the two aggregates. Open opportunities without a
 * category count as pipeline; omitted ones are left out.
 */
export function pivot(open: AggregateRow[], won: AggregateRow[], defaultCurrency = 'USD'): { rows: OwnerRow[]; total: OwnerRow } {
  const byOwner = new Map<string, OwnerRow>();
  const total: OwnerRow = { owner: '', cells: empty(), count: 0 };
  const row = (owner: string) => {
    let r = byOwner.get(owner);
    if (!r) {
      r = { owner, cells: empty(), count: 0 };
      byOwner.set(owner, r);
    }
    return r;
  };
  const put = (r: AggregateRow, col: Column) => {
    const v = r.total === null || r.total === undefined ? 0 : Number(r.total);
    const n = Number(r.n) || 0;
    const cur = r.amount_currency || defaultCurrency;
    const o = row(r.owner_id ?? '');
    add(o.cells[col], cur, Number.isNaN(v) ? 0 : v);
    add(total.cells[col], cur, Number.isNaN(v) ? 0 : v);
    o.count += n;
    total.count += n;
  };
  for (const r of open) {
    const c = (r.forecast_category ?? 'pipeline') as Category;
    if (c === 'omitted') continue;
    put(r, CATEGORIES.includes(c) ? c : 'pipeline');
  }
  for (const r of won) put(r, 'won');
  const rows = [...byOwner.values()].sort((a, b) => a.owner.localeCompare(b.owner));
  return { rows, total };
}

/** The currency a chart shows: the one with the largest total (currencies are never mixed). */
export function mainCurrency(total: OwnerRow): string | undefined {
  const sums: Record<string, number> = {};
  for (const c of COLUMNS) for (const [cur, v] of Object.entries(total.cells[c])) sums[cur] = (sums[cur] ?? 0) + v;
  return Object.entries(sums).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
}

export interface ChartSeries {
  column: Column;
  data: number[];
}

/** One bar group per owner and one series per column, in `currency` only. */
export function chartSeries(rows: OwnerRow[], currency: string): ChartSeries[] {
  return COLUMNS.map((column) => ({ column, data: rows.map((r) => r.cells[column][currency] ?? 0) }));
}

/** A team and the users in it, for the forecast per team. */
export interface TeamMembers {
  id: string;
  members: string[];
}

function addCells(into: Record<Column, Sums>, from: Record<Column, Sums>) {
  for (const c of COLUMNS) for (const [cur, v] of Object.entries(from[c])) add(into[c], cur, v);
}

/**
 * Rows per team from the server's rows per owner: a team's row adds up its members' rows and
 * what the team owns itself. A user in two teams counts in both (as in any team forecast);
 * owners in no team make the row with team ''. Teams with nothing in the period are left out.
 */
export function perTeam(rows: OwnerRow[], teams: TeamMembers[]): OwnerRow[] {
  const byOwner = new Map(rows.map((r) => [r.owner, r]));
  const placed = new Set<string>();
  const out: OwnerRow[] = [];
  for (const team of teams) {
    const r: OwnerRow = { owner: team.id, cells: empty(), count: 0 };
    for (const owner of [team.id, ...team.members]) {
      const o = byOwner.get(owner);
      if (!o) continue;
      addCells(r.cells, o.cells);
      r.count += o.count;
      placed.add(owner);
    }
    if (r.count > 0) out.push(r);
  }
  const none: OwnerRow = { owner: '', cells: empty(), count: 0 };
  for (const o of rows) {
    if (placed.has(o.owner)) continue;
    addCells(none.cells, o.cells);
    none.count += o.count;
  }
  if (none.count > 0) out.push(none);
  return out;
}
