import { describe, expect, it } from 'vitest';
import {
  addOption, emptyEntityForm, emptyFieldForm, entityBody, fieldBody, fieldPatchBody, formOf, moveOption,
  newOption, pluralOf, removeOption, suggestValue, traitsOf, updateOption,
} from './designer';
import type { FieldForm, OptionRow } from './designer';

const rows = (...vals: string[]): OptionRow[] => vals.map((v) => ({ ...newOption(), value: v, en: v.toUpperCase(), zh: '' }));
const form = (patch: Partial<FieldForm>): FieldForm => ({ ...emptyFieldForm(patch.type), ...patch });

describe('option editor operations', () => {
  it('adds, removes, moves and updates rows without touching the input list', () => {
    const start = rows('a', 'b', 'c');
    expect(addOption(start).map((r) => r.value)).toEqual(['a', 'b', 'c', '']);
    expect(removeOption(start, 1).map((r) => r.value)).toEqual(['a', 'c']);
    expect(moveOption(start, 2, -1).map((r) => r.value)).toEqual(['a', 'c', 'b']);
    expect(moveOption(start, 0, 1).map((r) => r.value)).toEqual(['b', 'a', 'c']);
    expect(moveOption(start, 0, -1).map((r) => r.value)).toEqual(['a', 'b', 'c']); // past the top: no change
    expect(moveOption(start, 2, 1).map((r) => r.value)).toEqual(['a', 'b', 'c']);
    expect(updateOption(start, 1, { zh: '乙' })[1]).toMatchObject({ value: 'b', zh: '乙' });
    expect(start.map((r) => r.value)).toEqual(['a', 'b', 'c']);
    expect(new Set(addOption(start).map((r) => r.key)).size).toBe(4); // stable, distinct keys
  });

  it('suggests a value from the English label', () => {
    expect(suggestValue('  Very High! ')).toBe('very_high');
    expect(suggestValue('Gold / Platinum')).toBe('gold_platinum');
  });
});

describe('field form → request body', () => {
  it('maps a choice field with options in order, labels in both languages, default and flags', () => {
    const options = [{ ...newOption(), value: 'gold', en: 'Gold', zh: '金卡' }, { ...newOption(), value: 'silver', en: 'Silver', zh: '' }];
    const { body, errors } = fieldBody(form({
      type: 'choice', name: 'tier', en: 'Tier', zh: '等级', description: ' Loyalty tier ', required: true, unique: false,
      defaultValue: 'gold', options, maxLength: '99', min: '1', target: 'account', format: 'X',
    }));
    expect(errors).toEqual({});
    expect(body).toEqual({
      name: 'tier', type: 'choice', display_name: { en: 'Tier', zh: '等级' }, description: 'Loyalty tier', required: true,
      default: 'gold',
      options: [{ value: 'gold', label: { en: 'Gold', zh: '金卡' } }, { value: 'silver', label: { en: 'Silver' } }],
    }); // inputs of other types (max length, min, target, format) are kept in the form but not sent
  });

  it('maps each type’s own settings', () => {
    expect(fieldBody(form({ type: 'string', name: 'code', maxLength: '20', unique: true, defaultValue: 'A' })).body)
      .toEqual({ name: 'code', type: 'string', display_name: {}, max_length: 20, unique: true, default: 'A' });
    expect(fieldBody(form({ type: 'decimal', name: 'rate', min: '０', max: '1,000.5', scale: '2', defaultValue: '1.5' })).body)
      .toMatchObject({ min: 0, max: 1000.5, scale: 2, default: 1.5 });
    expect(fieldBody(form({ type: 'integer', name: 'seats', min: '-5', max: '10', defaultValue: '3' })).body)
      .toMatchObject({ type: 'integer', min: -5, max: 10, default: 3 });
    expect(fieldBody(form({ type: 'boolean', name: 'vip', defaultValue: 'false', unique: true })).body)
      .toEqual({ name: 'vip', type: 'boolean', display_name: {}, default: false });
    expect(fieldBody(form({ type: 'lookup', name: 'partner_id', target: 'account' })).body)
      .toEqual({ name: 'partner_id', type: 'lookup', display_name: {}, target: 'account' });
    expect(fieldBody(form({ type: 'autonumber', name: 'ref', format: 'REF-{seq:5}', defaultValue: 'x' })).body)
      .toEqual({ name: 'ref', type: 'autonumber', display_name: {}, format: 'REF-{seq:5}' });
    expect(fieldBody(form({ type: 'multi_choice', name: 'tags', options: rows('a'), defaultValue: 'a', unique: true })).body)
      .toEqual({ name: 'tags', type: 'multi_choice', display_name: {}, options: [{ value: 'a', label: { en: 'A' } }] });
    expect(fieldBody(form({ type: 'date', name: 'since', defaultValue: '2030-01-02' })).body.default).toBe('2030-01-02');
    expect(fieldBody(form({ type: 'json', name: 'extra', unique: true })).body).toEqual({ name: 'extra', type: 'json', display_name: {} });
  });

  it('reports local faults under the API’s targets', () => {
    expect(fieldBody(form({ name: '' })).errors).toEqual({ name: 'required' });
    expect(fieldBody(form({ name: 'Bad Name' })).errors).toEqual({ name: 'invalid_name' });
    expect(fieldBody(form({ type: 'lookup', name: 'partner' })).errors).toEqual({ name: 'lookup_name', target: 'required' });
    expect(fieldBody(form({ type: 'integer', name: 'n', min: '1.5', max: 'x', defaultValue: '2.5' })).errors)
      .toEqual({ min: 'not_integer', max: 'not_number', default: 'not_integer' });
    expect(fieldBody(form({ type: 'decimal', name: 'n', min: '5', max: '1', scale: '11' })).errors).toEqual({ min: 'min_above_max', scale: 'out_of_range' });
    expect(fieldBody(form({ type: 'string', name: 's', maxLength: '5000' })).errors).toEqual({ max_length: 'out_of_range' });
    expect(fieldBody(form({ type: 'autonumber', name: 'r', format: 'REF' })).errors).toEqual({ format: 'invalid_format' });
    const opts = [{ ...newOption(), value: 'a', en: 'A', zh: '' }, { ...newOption(), value: 'a', en: '', zh: '' }, { ...newOption(), value: 'x,y', en: 'X', zh: '' }];
    expect(fieldBody(form({ type: 'choice', name: 'c', options: opts })).errors)
      .toEqual({ 'options[1].value': 'duplicate_name', 'options[1].label': 'required', 'options[2].value': 'invalid_value' });
    expect(fieldBody(form({ type: 'choice', name: 'c', options: [] })).errors).toEqual({ options: 'required' });
  });

  it('edits labels, description and (custom fields only) options', () => {
    const f = formOf({ name: 'tier', type: 'choice', display_name: { en: 'Tier' }, options: [{ value: 'gold', label: { en: 'Gold' } }] });
    expect(f.options[0]).toMatchObject({ value: 'gold', en: 'Gold', saved: true });
    const next = { ...f, zh: '等级', options: [...f.options, { ...newOption(), value: 'bronze', en: 'Bronze', zh: '铜卡' }] };
    expect(fieldPatchBody(next).body).toEqual({
      display_name: { en: 'Tier', zh: '等级' }, description: '',
      options: [{ value: 'gold', label: { en: 'Gold' } }, { value: 'bronze', label: { en: 'Bronze', zh: '铜卡' } }],
    });
    expect(fieldPatchBody(next, false).body).toEqual({ display_name: { en: 'Tier', zh: '等级' }, description: '' });
  });

  it('shows the inputs each type takes', () => {
    expect(traitsOf('decimal')).toMatchObject({ range: true, scale: true, defaultKind: 'number' });
    expect(traitsOf('text')).toMatchObject({ maxLength: true, unique: false });
    expect(traitsOf('datetime').defaultKind).toBeNull();
    expect(traitsOf('lookup')).toMatchObject({ target: true, defaultKind: null });
  });
});

describe('entity form → request body', () => {
  it('sends names in both languages and the primary name as a required string attribute', () => {
    const f = { ...emptyEntityForm(), name: 'project', en: 'Project', zh: '项目', pluralEn: 'Projects', pluralZh: '项目', primaryName: 'title', primaryEn: 'Title', primaryZh: '标题' };
    const { body, errors } = entityBody(f);
    expect(errors).toEqual({});
    expect(body).toEqual({
      name: 'project', display_name: { en: 'Project', zh: '项目' }, plural_name: { en: 'Projects', zh: '项目' }, primary_name: 'title',
      attributes: [{ name: 'title', type: 'string', required: true, display_name: { en: 'Title', zh: '标题' } }],
    });
    expect(entityBody({ ...f, setName: 'project_list' }).body.set_name).toBe('project_list');
  });

  it('reports local faults under the API’s targets', () => {
    expect(entityBody({ ...emptyEntityForm(), name: '1x', setName: 'A B', primaryName: '' }).errors)
      .toEqual({ name: 'invalid_name', set_name: 'invalid_name', 'attributes[0].name': 'required', display_name: 'required' });
  });

  it('predicts the default set name like the server', () => {
    expect(['project', 'box', 'company', 'day', 'status'].map(pluralOf)).toEqual(['projects', 'boxes', 'companies', 'days', 'statuses']);
  });
});
