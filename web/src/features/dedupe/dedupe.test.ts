import { describe, expect, it } from 'vitest';
import type { AttributeDefinition } from '../../api/types';
import { defaultWinners, differingFields, duplicatesOf, mergeBody } from './dedupe';

const attrs: AttributeDefinition[] = [
  { name: 'name', type: 'string' },
  { name: 'phone', type: 'phone' },
  { name: 'city', type: 'string' },
  { name: 'account_number', type: 'autonumber' },
];

describe('merge helpers', () => {
  it('offers only the fields whose values differ', () => {
    const a = { name: 'Acme Inc.', phone: '+1 415', city: null, account_number: 'A-1' };
    const b = { name: 'ACME, Inc', phone: '+1 415', city: 'Berlin', account_number: 'A-2' };
    expect(differingFields(attrs, a, b).map((f) => f.name)).toEqual(['name', 'city']);
    expect(differingFields(attrs, { city: '' }, { city: null }).map((f) => f.name)).toEqual([]);
  });

  it('keeps the survivor values unless blank, and sends only the other record wins', () => {
    const fields = differingFields(attrs, { name: 'A', city: null }, { name: 'B', city: 'Berlin' });
    const w = defaultWinners(fields, { name: 'A', city: null });
    expect(w).toEqual({ name: 'survivor', city: 'other' });
    expect(mergeBody('other-id', w)).toEqual({ merge: ['other-id'], fields: { city: 'other-id' } });
  });

  it('reads the duplicates annotation of a create', () => {
    expect(duplicatesOf({ id: 'x' })).toEqual([]);
    const c = { id: 'y', name: 'Acme', score: 1, rules: ['name'], fields: ['name'] };
    expect(duplicatesOf({ id: 'x', '@meridian.duplicates': [c] })).toEqual([c]);
  });
});
