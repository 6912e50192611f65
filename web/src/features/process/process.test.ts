import { describe, expect, it } from 'vitest';
import { actionsFor, closeBody, isClosed, qualifyBody, resolveBody, today } from './process';

describe('process actions', () => {
  it('offers what the status allows', () => {
    expect(actionsFor('lead', { status: 'new' })).toEqual(['qualify', 'disqualify', 'route']);
    expect(actionsFor('lead', { status: 'contacted' })).toEqual(['qualify', 'disqualify', 'route']);
    expect(actionsFor('lead', { status: 'qualified' })).toEqual(['reactivate']);
    expect(actionsFor('lead', { status: 'disqualified' })).toEqual(['reactivate']);
    expect(actionsFor('opportunity', { status: 'open' })).toEqual(['close']);
    expect(actionsFor('opportunity', { status: null })).toEqual(['close']);
    expect(actionsFor('opportunity', { status: 'won' })).toEqual(['reopen']);
    expect(actionsFor('opportunity', { status: 'lost' })).toEqual(['reopen']);
    expect(actionsFor('case', { status: 'new' })).toEqual(['resolve', 'cancel', 'route']);
    expect(actionsFor('case', { status: 'waiting', queue_id: 'q1' })).toEqual(['resolve', 'cancel', 'pick', 'route']);
    expect(actionsFor('case', { status: 'resolved' })).toEqual(['reopen']);
    expect(actionsFor('case', { status: 'canceled' })).toEqual(['reopen']);
    expect(actionsFor('knowledge_article', { status: 'draft' })).toEqual(['submit']);
    expect(actionsFor('knowledge_article', { status: 'review' })).toEqual(['approve', 'reject']);
    expect(actionsFor('knowledge_article', { status: 'published' })).toEqual(['new_version', 'archive']);
    expect(actionsFor('knowledge_article', { status: 'archived' })).toEqual([]);
    expect(actionsFor('account', { status: 'active' })).toEqual([]);
  });

  it('knows closed records: read-only until reopened', () => {
    expect(isClosed('case', { status: 'resolved' })).toBe(true);
    expect(isClosed('case', { status: 'canceled' })).toBe(true);
    expect(isClosed('case', { status: 'waiting' })).toBe(false);
    expect(isClosed('lead', { status: 'qualified' })).toBe(true);
    expect(isClosed('lead', { status: 'contacted' })).toBe(false);
    expect(isClosed('opportunity', { status: 'lost' })).toBe(true);
    expect(isClosed('opportunity', { status: null })).toBe(false);
    expect(isClosed('account', { status: 'churned' })).toBe(false);
  });

  it('builds the close body without blanks, competitor only when lost', () => {
    expect(closeBody({ status: 'won', reason: ' Best fit ', competitor: 'Globex', closeDate: '2026-11-20' }))
      .toEqual({ status: 'won', reason: 'Best fit', close_date: '2026-11-20' });
    expect(closeBody({ status: 'lost', reason: '', competitor: 'Globex', closeDate: '' }))
      .toEqual({ status: 'lost', competitor: 'Globex' });
  });

  it('asks to create an account only when the lead has none', () => {
    expect(qualifyBody({ createAccount: false, createOpportunity: true }, false)).toEqual({ create_account: false, create_opportunity: true });
    expect(qualifyBody({ createAccount: true, createOpportunity: false }, true)).toEqual({ create_opportunity: false });
  });

  it('builds the resolve body', () => {
    expect(resolveBody(' Replaced the fuser ', '')).toEqual({ resolution: 'Replaced the fuser' });
    expect(resolveBody('Fixed', '4')).toEqual({ resolution: 'Fixed', satisfaction: 4 });
  });

  it('formats today in local time', () => {
    expect(today(new Date(2026, 0, 5, 23, 30))).toBe('2026-01-05');
  });
});
