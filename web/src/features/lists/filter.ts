// The filter builder's model (rows of attribute / operator / value joined by and/or) and its
// translation into OData `$filter` text, with literals written by attribute type.
import type { AttributeDefinition, AttributeType } from '../../api/types';
import { literal } from '../../api/odata';

export type Operator = 'eq' | 'ne' | 'gt' | 'lt' | 'contains' | 'startswith' | 'in' | 'empty' | 'notEmpty';

/** One row of the builder. `value` is the editor's text; `values` the options picked for `in`. */
export interface Condition {
  attr: string;
  op: Operator;
  value: string;
  values?: string[];
}

export interface FilterModel {
  join: 'and' | 'or';
  rows: Condition[];
}

export const EMPTY_FILTER: FilterModel = { join: 'and', rows: [] };

const TEXT: AttributeType[] = ['string', 'email', 'phone', 'url', 'text', 'autonumber'];
const ORDERED: AttributeType[] = ['integer', 'decimal', 'money', 'date', 'datetime'];

/** Whether the builder offers this attribute (polymorphic lookups and JSON are left out). */
export function filterable(a: AttributeDefinition): boolean {
  return a.type !== 'json' && !(a.type === 'lookup' && a.target === '*');
}

/** The operators that make sense for an attribute of this type, the default first. */
export function operatorsFor(a: AttributeDefinition): Operator[] {
  if (TEXT.includes(a.type)) return ['contains', 'eq', 'ne', 'startswith', 'empty', 'notEmpty'];
  if (ORDERED.includes(a.type)) return ['eq', 'ne', 'gt', 'lt', 'empty', 'notEmpty'];
  switch (a.type) {
    case 'choice':
      return ['eq', 'ne', 'in', 'empty', 'notEmpty'];
    case 'multi_choice':
      return ['contains', 'empty', 'notEmpty'];
    case 'boolean':
      return ['eq', 'empty', 'notEmpty'];
    case 'lookup':
      return ['contains', 'eq', 'startswith', 'empty', 'notEmpty'];
    default:
      return ['eq', 'ne', 'empty', 'notEmpty'];
  }
}

/** Whether the operator takes a value from the user. */
export function needsValue(op: Operator): boolean {
  return op !== 'empty' && op !== 'notEmpty';
}

/** Why a row cannot be turned into a filter yet (an i18n key under `filters.`), or undefined. */
export function rowProblem(a: AttributeDefinition | undefined, c: Condition): string | undefined {
  if (!a) return 'unknownField';
  if (!operatorsFor(a).includes(c.op)) return 'badOperator';
  if (!needsValue(c.op)) return undefined;
  if (c.op === 'in') return c.values?.length ? undefined : 'noValue';
  if (c.value.trim() === '') return 'noValue';
  return valueLiteral(a, c.value) === undefined ? 'badValue' : undefined;
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Full-width digits and signs (typed with a Chinese IME) as ASCII; thousands separators dropped. */
function normaliseNumber(s: string): string {
  return s
    .trim()
    .replace(/[\uFF10-\uFF19]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0))
    .replace(/\uFF0E|\u3002/g, '.')
    .replace(/\uFF0D/g, '-')
    .replace(/[,\uFF0C\s]/g, '');
}

/**
 * The OData literal for a value typed in the editor of attribute `a`, or undefined when it is not
 * a valid value of that type. Strings are quoted with apostrophes doubled; dates are `YYYY-MM-DD`;
 * datetimes (a `datetime-local` value, in the browser's time zone) are sent as UTC.
 */
export function valueLiteral(a: AttributeDefinition, value: string): string | undefined {
  switch (a.type) {
    case 'integer': {
      const n = normaliseNumber(value);
      return /^[+-]?\d+$/.test(n) ? String(BigInt(n)) : undefined;
    }
    case 'decimal':
    case 'money': {
      const n = normaliseNumber(value);
      return NUMBER.test(n) ? n.replace(/^\+/, '') : undefined;
    }
    case 'boolean':
      return value === 'true' || value === 'false' ? value : undefined;
    case 'date': {
      const m = DATE.exec(value.trim());
      if (!m) return undefined;
      const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
      return d.getUTCDate() === Number(m[3]) && d.getUTCMonth() === Number(m[2]) - 1 ? value.trim() : undefined;
    }
    case 'datetime': {
      if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?/.test(value.trim())) return undefined;
      const d = new Date(value.trim());
      return Number.isNaN(d.getTime()) ? undefined : d.toISOString().replace(/\.\d{3}Z$/, 'Z');
    }
    default:
      return literal(value);
  }
}

/** The property path a row filters on: a lookup compares its target's primary name. */
function pathOf(a: AttributeDefinition, lookupName: (a: AttributeDefinition) => string | undefined, op: Operator): string {
  if (a.type !== 'lookup' || !needsValue(op)) return a.name;
  const name = lookupName(a);
  return name ? `${a.name}/${name}` : a.name;
}

/** One row as OData text, or undefined when it is incomplete or invalid. */
export function conditionText(
  a: AttributeDefinition | undefined,
  c: Condition,
  lookupName: (a: AttributeDefinition) => string | undefined = () => undefined,
): string | undefined {
  if (!a || rowProblem(a, c)) return undefined;
  const path = pathOf(a, lookupName, c.op);
  switch (c.op) {
    case 'empty':
      return `${path} eq null`;
    case 'notEmpty':
      return `${path} ne null`;
    case 'contains':
    case 'startswith':
      return `${c.op}(${path},${literal(c.value)})`;
    case 'in':
      return `${path} in (${(c.values ?? []).map(literal).join(',')})`;
    default:
      return `${path} ${c.op} ${valueLiteral(a, c.value)!}`;
  }
}

/** The whole model as `$filter` text (undefined when no row is complete). */
export function buildFilter(
  model: FilterModel,
  attrs: AttributeDefinition[],
  lookupName?: (a: AttributeDefinition) => string | undefined,
): string | undefined {
  const parts = model.rows
    .map((c) => conditionText(attrs.find((a) => a.name === c.attr), c, lookupName))
    .filter((s): s is string => !!s);
  if (!parts.length) return undefined;
  if (parts.length === 1) return parts[0];
  return parts.map((p) => `(${p})`).join(` ${model.join} `);
}

/** Filters that must all hold (the quick search and the builder's), combined with `and`. */
export function allOf(...filters: (string | undefined)[]): string | undefined {
  const parts = filters.filter((f): f is string => !!f);
  if (parts.length <= 1) return parts[0];
  return parts.map((p) => `(${p})`).join(' and ');
}

/** The model kept in the URL (`?f=…`), read back defensively. */
export function parseModel(text: string | null): FilterModel {
  if (!text) return EMPTY_FILTER;
  try {
    const v = JSON.parse(text) as Partial<FilterModel>;
    const rows = Array.isArray(v.rows)
      ? v.rows.filter((r): r is Condition => !!r && typeof r.attr === 'string' && typeof r.op === 'string' && typeof r.value === 'string')
      : [];
    return { join: v.join === 'or' ? 'or' : 'and', rows };
  } catch {
    return EMPTY_FILTER;
  }
}
