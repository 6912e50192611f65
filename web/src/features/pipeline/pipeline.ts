// The pipeline board's queries and arithmetic: the open opportunities and their totals per stage,
// computed by the server with $apply, and the move of a card from one stage to another.
import { literal } from '../../api/odata';
import type { EntityRecord } from '../../api/types';

/** The stage column for opportunities without a stage. */
export const NO_STAGE = '__none__';

/** One row of the server's aggregate: a stage, a currency, the sum of amounts and the count. */
export interface AggregateRow {
  stage: string | null;
  amount_currency?: string | null;
  total?: number | string | null;
  n: number;
}

export interface StageTotal {
  n: number;
  /** Sums per currency (amounts in different currencies are not added together). */
  sums: { currency: string; total: number }[];
}

/** The filter of the board: open opportunities, optionally only the caller's. */
export function boardFilter(ownerId?: string): string {
  return ownerId ? `status eq 'open' and ${ownedBy(ownerId)}` : "status eq 'open'";
}

/** `$apply` for the column totals: count and sum of amount per stage (and currency). */
export function totalsApply(ownerId?: string): string {
  return `filter(${boardFilter(ownerId)})/groupby((stage,amount_currency),aggregate(amount with sum as total,$count as n))`;
}

/** The totals per stage from the aggregate rows; a stage with no row has none. */
export function stageTotals(rows: AggregateRow[]): Map<string, StageTotal> {
  const out = new Map<string, StageTotal>();
  for (const r of rows) {
    const key = r.stage ?? NO_STAGE;
    const t = out.get(key) ?? { n: 0, sums: [] };
    t.n += Number(r.n) || 0;
    const total = r.total === null || r.total === undefined ? 0 : Number(r.total);
    if (r.total !== null && r.total !== undefined && !Number.isNaN(total)) {
      const currency = r.amount_currency || 'USD';
      const s = t.sums.find((x) => x.currency === currency);
      if (s) s.total += total;
      else t.sums.push({ currency, total });
    }
    out.set(key, t);
  }
  for (const t of out.values()) t.sums.sort((a, b) => a.currency.localeCompare(b.currency));
  return out;
}

/** The stage a card sits in (its column id). */
export function stageOf(r: EntityRecord): string {
  return typeof r.stage === 'string' && r.stage ? r.stage : NO_STAGE;
}

/** The cards with `id` moved to `stage`: what the board shows while the change is saved. */
export function moveCard(cards: EntityRecord[], id: string, stage: string): EntityRecord[] {
  return cards.map((c) => (c.id === id ? { ...c, stage: stage === NO_STAGE ? null : stage } : c));
}

/** Filter text comparing `owner_id` to the signed-in user, for other lists too. */
export function ownedBy(userId: string): string {
  return `owner_id eq ${/^[0-9a-f-]{36}$/i.test(userId) ? userId : literal(userId)}`;
}
