import { describe, expect, it } from 'vitest';
import type { AttributeDefinition } from '../../api/types';
import { allOf, buildFilter, conditionText, operatorsFor, parseModel, rowProblem, valueLiteral } from './filter';

const attr = (name: string, type: AttributeDefinition['type'], extra: Partial<AttributeDefinition> = {}) =>
  ({ name, type, display_name: { en: name, zh: name }, ...extra }) as AttributeDefinition;

const name = attr('name', 'string');
const amount = attr('amount', 'money');
const employees = attr('employees', 'integer');
const closeDate = attr('close_date', 'date');
const dueAt = attr('due_at', 'datetime');
const stage = attr('stage', 'choice', { options: [{ value: 'qualify', label: { en: 'Qualify', zh: '资格审查' } }] });
const active = attr('active', 'boolean');
const account = attr('account_id', 'lookup', { target: 'account' });
const tags = attr('tags', 'multi_choice');
const attrs = [name, amount, employees, closeDate, dueAt, stage, active, account, tags];

describe('filter builder → $filter', () => {
  it('quotes strings, doubling apostrophes', () => {
    expect(conditionText(name, { attr: 'name', op: 'eq', value: "O'Brien & Sons" })).toBe("name eq 'O''Brien & Sons'");
    expect(conditionText(name, { attr: 'name', op: 'contains', value: "it's" })).toBe("contains(name,'it''s')");
    expect(conditionText(name, { attr: 'name', op: 'startswith', value: '北京' })).toBe("startswith(name,'北京')");
  });

  it('writes numbers, dates and datetimes unquoted and checks them', () => {
    expect(conditionText(amount, { attr: 'amount', op: 'gt', value: '1,250,000.50' })).toBe('amount gt 1250000.50');
    expect(conditionText(employees, { attr: 'employees', op: 'lt', value: '１２０' })).toBe('employees lt 120');
    expect(rowProblem(employees, { attr: 'employees', op: 'lt', value: '12.5' })).toBe('badValue');
    expect(conditionText(closeDate, { attr: 'close_date', op: 'lt', value: '2026-03-01' })).toBe('close_date lt 2026-03-01');
    expect(rowProblem(closeDate, { attr: 'close_date', op: 'eq', value: '2026-02-30' })).toBe('badValue');
    expect(valueLiteral(dueAt, '2026-03-01T09:30')).toBe(new Date('2026-03-01T09:30').toISOString().replace('.000Z', 'Z'));
    expect(valueLiteral(dueAt, 'soon')).toBeUndefined();
  });

  it('has operators by type: in for choices, is empty for all', () => {
    expect(operatorsFor(stage)).toContain('in');
    expect(operatorsFor(name)).not.toContain('in');
    expect(operatorsFor(amount)).toEqual(['eq', 'ne', 'gt', 'lt', 'empty', 'notEmpty']);
    expect(conditionText(stage, { attr: 'stage', op: 'in', value: '', values: ['qualify', "it's"] })).toBe("stage in ('qualify','it''s')");
    expect(conditionText(stage, { attr: 'stage', op: 'empty', value: '' })).toBe('stage eq null');
    expect(conditionText(active, { attr: 'active', op: 'eq', value: 'false' })).toBe('active eq false');
    expect(conditionText(tags, { attr: 'tags', op: 'contains', value: 'vip' })).toBe("contains(tags,'vip')");
  });

  it('compares a lookup by its target’s primary name, and its emptiness by the id', () => {
    const look = () => 'name';
    expect(conditionText(account, { attr: 'account_id', op: 'eq', value: 'Acme' }, look)).toBe("account_id/name eq 'Acme'");
    expect(conditionText(account, { attr: 'account_id', op: 'notEmpty', value: '' }, look)).toBe('account_id ne null');
  });

  it('joins complete rows with and/or, skipping incomplete ones', () => {
    const rows = [
      { attr: 'name', op: 'contains' as const, value: 'a' },
      { attr: 'amount', op: 'gt' as const, value: '' },
      { attr: 'close_date', op: 'empty' as const, value: '' },
    ];
    expect(buildFilter({ join: 'or', rows }, attrs)).toBe("(contains(name,'a')) or (close_date eq null)");
    expect(buildFilter({ join: 'and', rows: [rows[0]!] }, attrs)).toBe("contains(name,'a')");
    expect(buildFilter({ join: 'and', rows: [rows[1]!] }, attrs)).toBeUndefined();
    expect(allOf("contains(name,'x')", undefined, 'a eq 1')).toBe("(contains(name,'x')) and (a eq 1)");
    expect(allOf(undefined, 'a eq 1')).toBe('a eq 1');
  });

  it('reads the model back from the URL defensively', () => {
    expect(parseModel('{"join":"or","rows":[{"attr":"name","op":"eq","value":"x"},{"bad":1}]}')).toEqual({
      join: 'or',
      rows: [{ attr: 'name', op: 'eq', value: 'x' }],
    });
    expect(parseModel('not json')).toEqual({ join: 'and', rows: [] });
  });
});
