import { describe, expect, it } from 'vitest';
import type { EntityDefinition } from '../../api/types';
import { activityEntities, hasTimeline, oneToManyNavigations } from './navigations';

const account: EntityDefinition = {
  name: 'account',
  set_name: 'accounts',
  attributes: [
    { name: 'name', type: 'string' },
    { name: 'parent_account_id', type: 'lookup', target: 'account', reverse_name: 'child_accounts' },
  ],
};
const contact: EntityDefinition = { name: 'contact', set_name: 'contacts', attributes: [{ name: 'account_id', type: 'lookup', target: 'account' }] };
const lead: EntityDefinition = {
  name: 'lead',
  set_name: 'leads',
  attributes: [
    { name: 'account_id', type: 'lookup', target: 'account' },
    { name: 'partner_account_id', type: 'lookup', target: 'account' },
  ],
};
const note: EntityDefinition = { name: 'note', set_name: 'notes', attributes: [{ name: 'regarding_id', type: 'lookup', target: '*' }] };
const activity: EntityDefinition = { name: 'activity', set_name: 'activities', union: ['note'], attributes: [{ name: 'regarding_id', type: 'lookup', target: '*' }] };
const all = [account, contact, lead, note, activity];

describe('oneToManyNavigations', () => {
  it('names navigations as the server does: reverse_name, the set, or set_lookup', () => {
    const navs = oneToManyNavigations(account, all).map((n) => [n.name, n.from.name, n.lookup.name]);
    expect(navs).toEqual([
      ['child_accounts', 'account', 'parent_account_id'],
      ['contacts', 'contact', 'account_id'],
      ['leads_account', 'lead', 'account_id'],
      ['leads_partner_account', 'lead', 'partner_account_id'],
    ]);
  });

  it('has none for polymorphic lookups or entities nobody points to', () => {
    expect(oneToManyNavigations(note, all)).toEqual([]);
  });
});

describe('timeline', () => {
  it('finds the activity union and its members', () => {
    expect(activityEntities(all)?.members.map((m) => m.name)).toEqual(['note']);
  });

  it('is shown for records, not for activities themselves', () => {
    expect(hasTimeline(account, all)).toBe(true);
    expect(hasTimeline(note, all)).toBe(false);
    expect(hasTimeline(activity, all)).toBe(false);
    expect(hasTimeline(account, [account])).toBe(false);
  });
});
