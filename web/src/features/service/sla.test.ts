import { describe, expect, it } from 'vitest';
import { durationParts, minutesLeft, nextTimer, queueFilter } from './sla';

describe('case queue SLA', () => {
  it('runs against the first response until answered, then the resolution', () => {
    const c = { first_response_by: '2031-03-03T10:00:00Z', resolve_by: '2031-03-03T13:00:00Z' };
    expect(nextTimer(c)).toEqual({ timer: 'first_response', due: new Date('2031-03-03T10:00:00Z') });
    expect(nextTimer({ ...c, first_responded_at: '2031-03-03T09:10:00Z' })).toEqual({ timer: 'resolve', due: new Date('2031-03-03T13:00:00Z') });
    expect(nextTimer({})).toBeNull();
  });

  it('counts minutes left and overdue', () => {
    const due = new Date('2031-03-03T10:00:00Z');
    expect(minutesLeft(due, new Date('2031-03-03T07:55:30Z'))).toBe(124);
    expect(minutesLeft(due, new Date('2031-03-03T11:30:00Z'))).toBe(-90);
    expect(durationParts(124)).toEqual({ d: 0, h: 2, m: 4 });
    expect(durationParts(-3000)).toEqual({ d: 2, h: 2, m: 0 });
  });

  it('filters open cases, mine, escalated', () => {
    expect(queueFilter({})).toBe("status ne 'resolved' and status ne 'canceled'");
    expect(queueFilter({ ownerId: 'u1', escalated: true })).toBe("status ne 'resolved' and status ne 'canceled' and owner_id eq u1 and escalated eq true");
    expect(queueFilter({ queueIds: ['q1', 'q2'] })).toBe("status ne 'resolved' and status ne 'canceled' and queue_id in (q1,q2)");
    expect(queueFilter({ queueIds: [] })).toBe("status ne 'resolved' and status ne 'canceled' and id eq null");
  });
});
