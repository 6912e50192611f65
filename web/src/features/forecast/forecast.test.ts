import { describe, expect, it } from 'vitest';
import { openApply, perTeam, periodOf, pivot, wonApply } from './forecast';

describe('forecast', () => {
  it('computes calendar periods', () => {
    const now = new Date(2026, 10, 26); // 26 Nov 2026
    expect(periodOf('this_quarter', now)).toEqual({ from: '2026-10-01', to: '2027-01-01' });
    expect(periodOf('next_quarter', now)).toEqual({ from: '2027-01-01', to: '2027-04-01' });
    expect(periodOf('this_year', now)).toEqual({ from: '2026-01-01', to: '2027-01-01' });
    expect(periodOf('next_quarter', new Date(2026, 1, 3))).toEqual({ from: '2026-04-01', to: '2026-07-01' });
  });

  it('asks the server to aggregate', () => {
    const p = { from: '2031-01-01', to: '2031-04-01' };
    expect(openApply(p)).toBe("filter(status eq 'open' and close_date ge 2031-01-01 and close_date lt 2031-04-01)/groupby((owner_id,forecast_category,amount_currency),aggregate(amount with sum as total,$count as n))");
    expect(wonApply(p)).toContain("status eq 'won' and actual_close_date ge 2031-01-01");
  });

  it('pivots per owner, keeps currencies apart, leaves omitted out', () => {
    const { rows, total } = pivot(
      [
        { owner_id: 'u1', forecast_category: 'pipeline', amount_currency: 'USD', total: '1000.0000', n: 2 },
        { owner_id: 'u1', forecast_category: null, amount_currency: 'USD', total: 500, n: 1 },
        { owner_id: 'u1', forecast_category: 'committed', amount_currency: 'CNY', total: 7000, n: 1 },
        { owner_id: 'u2', forecast_category: 'best_case', amount_currency: null, total: 300, n: 1 },
        { owner_id: 'u2', forecast_category: 'omitted', amount_currency: 'USD', total: 99, n: 1 },
      ],
      [{ owner_id: 'u2', amount_currency: 'USD', total: 4000, n: 1 }],
    );
    expect(rows.map((r) => r.owner)).toEqual(['u1', 'u2']);
    expect(rows[0]!.cells.pipeline).toEqual({ USD: 1500 });
    expect(rows[0]!.cells.committed).toEqual({ CNY: 7000 });
    expect(rows[1]!.cells.best_case).toEqual({ USD: 300 });
    expect(rows[1]!.cells.won).toEqual({ USD: 4000 });
    expect(total.cells.pipeline).toEqual({ USD: 1500 });
    expect(total.count).toBe(6);
  });
});

describe('forecast chart data', () => {
  it('charts the main currency only, one series per column', async () => {
    const { chartSeries, mainCurrency, pivot } = await import('./forecast');
    const { rows, total } = pivot(
      [
        { owner_id: 'u1', forecast_category: 'pipeline', amount_currency: 'CNY', total: 9000, n: 1 },
        { owner_id: 'u2', forecast_category: 'committed', amount_currency: 'CNY', total: 1000, n: 1 },
        { owner_id: 'u2', forecast_category: 'committed', amount_currency: 'USD', total: 5000, n: 1 },
      ],
      [],
    );
    expect(mainCurrency(total)).toBe('CNY');
    expect(chartSeries(rows, 'CNY')).toEqual([
      { column: 'pipeline', data: [9000, 0] },
      { column: 'best_case', data: [0, 0] },
      { column: 'committed', data: [0, 1000] },
      { column: 'won', data: [0, 0] },
    ]);
  });

  it('adds up owners into their teams, a member of two teams in both, the rest apart', () => {
    const { rows, total } = pivot(
      [
        { owner_id: 'u1', forecast_category: 'pipeline', amount_currency: 'USD', total: 100, n: 1 },
        { owner_id: 'u2', forecast_category: 'committed', amount_currency: 'USD', total: 200, n: 2 },
        { owner_id: 't1', forecast_category: 'best_case', amount_currency: 'EUR', total: 50, n: 1 },
        { owner_id: 'u3', forecast_category: 'pipeline', amount_currency: 'USD', total: 7, n: 1 },
      ],
      [{ owner_id: 'u2', amount_currency: 'USD', total: 1000, n: 1 }],
    );
    const teams = perTeam(rows, [
      { id: 't1', members: ['u1', 'u2'] },
      { id: 't2', members: ['u2'] },
      { id: 't3', members: ['nobody'] },
    ]);
    expect(teams.map((r) => r.owner)).toEqual(['t1', 't2', '']);
    expect(teams[0]!.cells).toEqual({ pipeline: { USD: 100 }, best_case: { EUR: 50 }, committed: { USD: 200 }, won: { USD: 1000 } });
    expect(teams[0]!.count).toBe(5);
    expect(teams[1]!.cells.committed).toEqual({ USD: 200 });
    expect(teams[2]!.cells.pipeline).toEqual({ USD: 7 });
    expect(total.count).toBe(6);
  });
});
