import { describe, expect, it } from 'vitest';
import type { EntityDefinition } from '../../api/types';
import { fieldGridOf, permissionsOf, securedFields, toggleRight } from './fieldProfiles';

const entity = (name: string, en: string, attrs: { name: string; en: string; secured?: boolean }[]) =>
  ({ name, display_name: { en, zh: en }, attributes: attrs.map((a) => ({ name: a.name, type: 'string', display_name: { en: a.en, zh: a.en }, secured: a.secured })) }) as unknown as EntityDefinition;

describe('field security profiles', () => {
  it('lists only secured fields, by label', () => {
    const es = [
      entity('contact', 'Contact', [{ name: 'ssn', en: 'SSN', secured: true }, { name: 'email', en: 'Email' }]),
      entity('account', 'Account', [{ name: 'credit_limit', en: 'Credit limit', secured: true }]),
    ];
    expect(securedFields(es, 'en')).toEqual([
      { entity: 'account', attribute: 'credit_limit', label: 'Account · Credit limit' },
      { entity: 'contact', attribute: 'ssn', label: 'Contact · SSN' },
    ]);
  });

  it('sends only fields with a right, and reads back what it sent', () => {
    let g = fieldGridOf([{ entity: 'account', attribute: 'credit_limit', read: true, create: false, update: false }]);
    g = toggleRight(g, 'contact.ssn', 'update', true);
    g = toggleRight(g, 'contact.ssn', 'read', true);
    g = toggleRight(g, 'account.credit_limit', 'read', false);
    const perms = permissionsOf(g);
    expect(perms).toEqual([{ entity: 'contact', attribute: 'ssn', read: true, create: false, update: true }]);
    expect(fieldGridOf(perms)).toEqual({ 'contact.ssn': { read: true, create: false, update: true } });
  });
});
