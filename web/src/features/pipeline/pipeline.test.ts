import { describe, expect, it } from 'vitest';
import { boardFilter, moveCard, NO_STAGE, stageOf, stageTotals, totalsApply } from './pipeline';

describe('pipeline board', () => {
  it('asks the server for totals per stage of open opportunities', () => {
    expect(totalsApply()).toBe(
      "filter(status eq 'open')/groupby((stage,amount_currency),aggregate(amount with sum as total,$count as n))",
    );
    const me = '01a2156c-caf9-7a95-a356-44986ebb63bc';
    expect(boardFilter(me)).toBe(`status eq 'open' and owner_id eq ${me}`);
  });

  it('adds counts per stage and sums per currency', () => {
    const t = stageTotals([
      { stage: 'develop', amount_currency: 'CNY', total: 1000.5, n: 1 },
      { stage: 'develop', amount_currency: 'USD', total: '200.0000', n: 2 },
      { stage: 'develop', amount_currency: null, total: null, n: 3 },
      { stage: 'qualify', amount_currency: 'USD', total: 50, n: 1 },
      { stage: null, amount_currency: 'USD', total: 7, n: 1 },
    ]);
    expect(t.get('develop')).toEqual({ n: 6, sums: [{ currency: 'CNY', total: 1000.5 }, { currency: 'USD', total: 200 }] });
    expect(t.get('qualify')).toEqual({ n: 1, sums: [{ currency: 'USD', total: 50 }] });
    expect(t.get(NO_STAGE)?.n).toBe(1);
    expect(t.get('close')).toBeUndefined();
  });

  it('moves a card to another column without touching the others', () => {
    const cards = [{ id: 'a', stage: 'qualify' }, { id: 'b', stage: 'develop' }];
    const moved = moveCard(cards, 'a', 'propose');
    expect(moved.map(stageOf)).toEqual(['propose', 'develop']);
    expect(cards[0]!.stage).toBe('qualify');
    expect(stageOf(moveCard(cards, 'b', NO_STAGE)[1]!)).toBe(NO_STAGE);
  });
});
