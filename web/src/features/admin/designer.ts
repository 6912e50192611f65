// The designer's forms as plain data, and their translation into metadata API requests:
// a field form → POST/PATCH …/attributes body, an entity form → POST /metadata/entities body,
// and the option editor's list operations. Checked here before sending (with the API's own
// error targets, so local and server errors land next to the same inputs); tested in
// designer.test.ts.
import type { AttributeDefinition, AttributeType, EntityDefinition, Label, OptionDefinition } from '../../api/types';

/** Every attribute type a custom field may have, in the order the type picker lists them. */
export const FIELD_TYPES: readonly AttributeType[] = [
  'string', 'text', 'integer', 'decimal', 'money', 'boolean', 'date', 'datetime', 'choice',
  'multi_choice', 'lookup', 'email', 'phone', 'url', 'json', 'autonumber',
];

/** One row of the option editor. `key` keeps React rows stable while values are edited. */
export interface OptionRow {
  key: string;
  value: string;
  en: string;
  zh: string;
  /** An option already stored: its value is kept (records hold it), only its labels change. */
  saved?: boolean;
}

/** What the field form holds: every input as typed (numbers as text, so nothing is lost). */
export interface FieldForm {
  name: string;
  type: AttributeType;
  en: string;
  zh: string;
  description: string;
  required: boolean;
  unique: boolean;
  /** As typed; for booleans '' | 'true' | 'false'. */
  defaultValue: string;
  maxLength: string;
  min: string;
  max: string;
  scale: string;
  options: OptionRow[];
  target: string;
  format: string;
}

/** Which inputs the form shows for a type. */
export interface TypeTraits {
  maxLength: boolean;
  range: boolean;
  scale: boolean;
  options: boolean;
  target: boolean;
  format: boolean;
  unique: boolean;
  /** The kind of default input, or none when the API takes no default for the type. */
  defaultKind: 'text' | 'number' | 'boolean' | 'date' | 'choice' | null;
}

export function traitsOf(type: AttributeType): TypeTraits {
  const t: TypeTraits = { maxLength: false, range: false, scale: false, options: false, target: false, format: false, unique: true, defaultKind: null };
  switch (type) {
    case 'string':
    case 'email':
    case 'phone':
    case 'url':
      return { ...t, maxLength: true, defaultKind: 'text' };
    case 'text':
      return { ...t, maxLength: true, unique: false, defaultKind: 'text' };
    case 'integer':
    case 'money':
      return { ...t, range: true, defaultKind: 'number' };
    case 'decimal':
      return { ...t, range: true, scale: true, defaultKind: 'number' };
    case 'boolean':
      return { ...t, unique: false, defaultKind: 'boolean' };
    case 'date':
      return { ...t, defaultKind: 'date' };
    case 'choice':
      return { ...t, options: true, defaultKind: 'choice' };
    case 'multi_choice':
      return { ...t, options: true, unique: false };
    case 'lookup':
      return { ...t, target: true };
    case 'autonumber':
      return { ...t, format: true, unique: false };
    case 'json':
      return { ...t, unique: false };
    default: // datetime
      return t;
  }
}

let seq = 0;
/** A fresh, empty option row. */
export function newOption(): OptionRow {
  seq += 1;
  return { key: `o${seq}`, value: '', en: '', zh: '' };
}

export function emptyFieldForm(type: AttributeType = 'string'): FieldForm {
  return {
    name: '', type, en: '', zh: '', description: '', required: false, unique: false, defaultValue: '',
    maxLength: '', min: '', max: '', scale: '', options: [newOption(), newOption()], target: '', format: '',
  };
}

/** The form of an existing attribute, for editing its labels, description and options. */
export function formOf(a: AttributeDefinition): FieldForm {
  const f = emptyFieldForm(a.type);
  return {
    ...f,
    name: a.name,
    en: a.display_name?.en ?? '',
    zh: a.display_name?.zh ?? '',
    description: a.description ?? '',
    required: !!a.required,
    unique: !!a.unique,
    defaultValue: a.default === undefined || a.default === null ? '' : String(a.default),
    maxLength: a.max_length ? String(a.max_length) : '',
    min: a.min !== undefined ? String(a.min) : '',
    max: a.max !== undefined ? String(a.max) : '',
    scale: a.scale !== undefined ? String(a.scale) : '',
    options: (a.options ?? []).map((o) => ({ ...newOption(), saved: true, value: o.value, en: o.label.en ?? '', zh: o.label.zh ?? '' })),
    target: a.target ?? '',
    format: a.format ?? '',
  };
}

// Option editor operations: each returns a new list (the form state is immutable).
export function addOption(rows: readonly OptionRow[]): OptionRow[] {
  return [...rows, newOption()];
}
export function removeOption(rows: readonly OptionRow[], i: number): OptionRow[] {
  return rows.filter((_, j) => j !== i);
}
/** Moves row i by `by` places (−1 up, +1 down); a move past either end changes nothing. */
export function moveOption(rows: readonly OptionRow[], i: number, by: number): OptionRow[] {
  const j = i + by;
  if (i < 0 || i >= rows.length || j < 0 || j >= rows.length) return [...rows];
  const out = [...rows];
  [out[i], out[j]] = [out[j]!, out[i]!];
  return out;
}
export function updateOption(rows: readonly OptionRow[], i: number, patch: Partial<Omit<OptionRow, 'key'>>): OptionRow[] {
  return rows.map((r, j) => (j === i ? { ...r, ...patch } : r));
}

/** A value for an option typed from its English label: "Very high" → "very_high". */
export function suggestValue(en: string): string {
  return en.trim().toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 100);
}

const NAME_RE = /^[a-z][a-z0-9_]{0,47}$/;

/** Local faults by the API's target names (`name`, `min`, `options[1].value`, …) → error code. */
export type LocalErrors = Record<string, string>;

export interface Built<T> {
  body: T;
  errors: LocalErrors;
}

/** Parses a number typed with ASCII or full-width digits and separators; undefined when blank. */
export function parseNumber(s: string): number | undefined | null {
  const n = s
    .trim()
    .replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0))
    .replace(/[，,_\s]/g, '')
    .replace(/．/g, '.')
    .replace(/－/g, '-');
  if (n === '') return undefined;
  if (!/^-?(\d+\.?\d*|\.\d+)$/.test(n)) return null;
  return Number(n);
}

function label(en: string, zh: string): Label {
  const l: Label = {};
  if (en.trim()) l.en = en.trim();
  if (zh.trim()) l.zh = zh.trim();
  return l;
}

function options(rows: readonly OptionRow[], errors: LocalErrors): OptionDefinition[] {
  if (rows.length === 0) errors.options = 'required';
  const seen = new Set<string>();
  return rows.map((r, i) => {
    const value = r.value.trim();
    if (!value || value.includes(',')) errors[`options[${i}].value`] = 'invalid_value';
    else if (seen.has(value)) errors[`options[${i}].value`] = 'duplicate_name';
    seen.add(value);
    if (!r.en.trim()) errors[`options[${i}].label`] = 'required';
    return { value, label: label(r.en, r.zh) };
  });
}

/** The body of POST /metadata/entities/{name}/attributes for a new field, and local faults. */
export function fieldBody(f: FieldForm): Built<AttributeDefinition> {
  const errors: LocalErrors = {};
  const tr = traitsOf(f.type);
  const name = f.name.trim();
  if (!name) errors.name = 'required';
  else if (!NAME_RE.test(name)) errors.name = 'invalid_name';
  else if (f.type === 'lookup' && !name.endsWith('_id')) errors.name = 'lookup_name';
  const body: AttributeDefinition = { name, type: f.type, display_name: label(f.en, f.zh) };
  if (f.description.trim()) body.description = f.description.trim();
  if (f.required) body.required = true;
  if (f.unique && tr.unique) body.unique = true;

  const int = (key: 'max_length' | 'scale', s: string, lo: number, hi: number) => {
    const n = parseNumber(s);
    if (n === undefined) return undefined;
    if (n === null || !Number.isInteger(n)) errors[key] = 'not_integer';
    else if (n < lo || n > hi) errors[key] = 'out_of_range';
    return n ?? undefined;
  };
  if (tr.maxLength) {
    const n = int('max_length', f.maxLength, 1, f.type === 'text' ? 1 << 20 : 4000);
    if (n !== undefined) body.max_length = n;
  }
  if (tr.range) {
    const lo = parseNumber(f.min);
    const hi = parseNumber(f.max);
    if (lo === null) errors.min = 'not_number';
    if (hi === null) errors.max = 'not_number';
    if (f.type === 'integer') {
      if (typeof lo === 'number' && !Number.isInteger(lo)) errors.min = 'not_integer';
      if (typeof hi === 'number' && !Number.isInteger(hi)) errors.max = 'not_integer';
    }
    if (typeof lo === 'number' && typeof hi === 'number' && lo > hi) errors.min = 'min_above_max';
    if (typeof lo === 'number') body.min = lo;
    if (typeof hi === 'number') body.max = hi;
  }
  if (tr.scale) {
    const n = int('scale', f.scale, 0, 10);
    if (n !== undefined) body.scale = n;
  }
  if (tr.options) body.options = options(f.options, errors);
  if (tr.target) {
    if (!f.target) errors.target = 'required';
    else body.target = f.target;
  }
  if (tr.format && f.format.trim()) {
    if (!f.format.includes('{seq')) errors.format = 'invalid_format';
    body.format = f.format.trim();
  }
  const d = f.defaultValue.trim();
  if (d !== '' && tr.defaultKind) {
    switch (tr.defaultKind) {
      case 'number': {
        const n = parseNumber(d);
        if (n === null || n === undefined || (f.type === 'integer' && !Number.isInteger(n))) errors.default = f.type === 'integer' ? 'not_integer' : 'not_number';
        else body.default = n;
        break;
      }
      case 'boolean':
        body.default = d === 'true';
        break;
      default:
        body.default = d;
    }
  }
  return { body, errors };
}

/**
 * The body of PATCH …/attributes/{attr} for an existing field: the labels and description, and
 * for choices of a custom field the option list (fields left out keep their value on the server;
 * a shipped field's options are not the designer's to change).
 */
export function fieldPatchBody(f: FieldForm, withOptions = true): Built<Partial<AttributeDefinition>> {
  const errors: LocalErrors = {};
  const body: Partial<AttributeDefinition> = { display_name: label(f.en, f.zh), description: f.description.trim() };
  if (withOptions && traitsOf(f.type).options) body.options = options(f.options, errors);
  return { body, errors };
}

/** The custom entity form. The primary name becomes the entity's first (string) attribute. */
export interface EntityForm {
  name: string;
  setName: string;
  en: string;
  zh: string;
  pluralEn: string;
  pluralZh: string;
  description: string;
  primaryName: string;
  primaryEn: string;
  primaryZh: string;
}

export function emptyEntityForm(): EntityForm {
  return { name: '', setName: '', en: '', zh: '', pluralEn: '', pluralZh: '', description: '', primaryName: 'name', primaryEn: 'Name', primaryZh: '名称' };
}

/** The set name the server will choose when none is given (metadata.PluralOf). */
export function pluralOf(name: string): string {
  if (/(s|x|ch|sh)$/.test(name)) return `${name}es`;
  if (/[^aeiou]y$/.test(name)) return `${name.slice(0, -1)}ies`;
  return name ? `${name}s` : '';
}

/** The body of POST /metadata/entities, and local faults (targets as the API names them). */
export function entityBody(f: EntityForm): Built<EntityDefinition> {
  const errors: LocalErrors = {};
  const name = f.name.trim();
  const setName = f.setName.trim();
  const primary = f.primaryName.trim();
  if (!name) errors.name = 'required';
  else if (!NAME_RE.test(name)) errors.name = 'invalid_name';
  if (setName && !NAME_RE.test(setName)) errors.set_name = 'invalid_name';
  if (!primary) errors['attributes[0].name'] = 'required';
  else if (!NAME_RE.test(primary)) errors['attributes[0].name'] = 'invalid_name';
  if (!f.en.trim()) errors.display_name = 'required';
  const body: EntityDefinition = {
    name,
    display_name: label(f.en, f.zh),
    plural_name: label(f.pluralEn, f.pluralZh),
    primary_name: primary,
    attributes: [{ name: primary, type: 'string', required: true, display_name: label(f.primaryEn, f.primaryZh) }],
  };
  if (setName) body.set_name = setName;
  if (f.description.trim()) body.description = f.description.trim();
  return { body, errors };
}

/** Whether the attribute may be changed beyond its labels and deleted (added at run time). */
export function isCustomAttribute(e: EntityDefinition, a: AttributeDefinition): boolean {
  return !!e.custom || !!(a as AttributeDefinition & { custom?: boolean }).custom;
}
