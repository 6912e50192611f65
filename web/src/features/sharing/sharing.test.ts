import { describe, expect, it } from 'vitest';
import { accessTeamBody, isExpired, shareBody, templatesFor } from './sharing';
import type { AccessTeamTemplate } from './sharing';

const tpl = (id: string, name: string, entity: string): AccessTeamTemplate => ({ id, name, entity, rights: ['read'], created_at: '2026-01-01T00:00:00Z' });

describe('access teams', () => {
  it('keeps the templates of the entity, by name', () => {
    const all = [tpl('1', 'Sales team', 'account'), tpl('2', 'Deal team', 'opportunity'), tpl('3', 'Account reviewers', 'account')];
    expect(templatesFor(all, 'account').map((t) => t.id)).toEqual(['3', '1']);
    expect(templatesFor(all, 'lead')).toEqual([]);
  });

  it('marks a membership expired from its instant on', () => {
    const now = new Date('2026-11-26T04:00:00Z');
    expect(isExpired({}, now)).toBe(false);
    expect(isExpired({ expires_at: '2026-11-26T03:59:59Z' }, now)).toBe(true);
    expect(isExpired({ expires_at: '2026-11-26T04:00:00Z' }, now)).toBe(true);
    expect(isExpired({ expires_at: '2026-11-26T04:00:01Z' }, now)).toBe(false);
  });

  it('sends the expiry in UTC only when given', () => {
    expect(accessTeamBody('t', 'u', '')).toEqual({ template_id: 't', user_id: 'u' });
    const local = '2026-12-01T09:30';
    expect(accessTeamBody('t', 'u', local)).toEqual({ template_id: 't', user_id: 'u', expires_at: new Date(local).toISOString() });
    expect(shareBody('p', ['read'], '')).toEqual({ principal_id: 'p', rights: ['read'] });
  });
});
