import { describe, expect, it } from 'vitest';
import type { AttributeDefinition } from '../../api/types';
import { draftOf, isReadOnly, payloadOf, valueOf } from './fields';

const attrs: AttributeDefinition[] = [
  { name: 'name', type: 'string', required: true },
  { name: 'employees', type: 'integer' },
  { name: 'revenue', type: 'money' },
  { name: 'active', type: 'boolean' },
  { name: 'tags', type: 'multi_choice', options: [{ value: 'a', label: { en: 'A' } }, { value: 'b', label: { en: 'B' } }] },
  { name: 'extra', type: 'json' },
  { name: 'number', type: 'autonumber' },
];

describe('field values', () => {
  it('reads full-width digits and grouping separators as numbers', () => {
    expect(valueOf(attrs[1]!, { employees: '１，２００' })).toEqual({ ok: true, value: 1200 });
    expect(valueOf(attrs[1]!, { employees: '12.5' })).toEqual({ ok: false, code: 'not_integer' });
    expect(valueOf(attrs[5]!, { extra: '{oops' })).toEqual({ ok: false, code: 'not_json' });
  });

  it('sends only what changed, with the money currency, and never read-only fields', () => {
    const record = { name: 'Contoso', employees: 10, revenue: 5, revenue_currency: 'USD', active: false, tags: ['a'], extra: null, number: 'A-1' };
    const initial = draftOf(attrs, record);
    const draft = { ...initial, employees: '12', revenue_currency: 'CNY', tags: ['a', 'b'], number: 'X' };
    const { body, errors } = payloadOf(attrs, draft, initial);
    expect(errors).toEqual({});
    expect(body).toEqual({ employees: 12, revenue_currency: 'CNY', tags: ['a', 'b'] });
  });

  it('reports texts that do not convert and leaves them out of the body', () => {
    const initial = draftOf(attrs, { name: 'x', employees: 1 });
    const { body, errors } = payloadOf(attrs, { ...initial, employees: 'many', name: 'y' }, initial);
    expect(errors).toEqual({ employees: 'not_integer' });
    expect(body).toEqual({ name: 'y' });
  });

  it('leaves the fields the server keeps out of a new record, as read-only', () => {
    const kept: AttributeDefinition[] = [
      { name: 'title', type: 'string' },
      { name: 'sla_status', type: 'choice', read_only: true, options: [{ value: 'met', label: { en: 'Met' } }] },
    ];
    expect(isReadOnly(kept[1]!)).toBe(true);
    expect(isReadOnly(kept[0]!)).toBe(false);
    const { body } = payloadOf(kept, { title: 'x', sla_status: 'met' }, undefined);
    expect(body).toEqual({ title: 'x' });
  });
});
