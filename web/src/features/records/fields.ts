// Form values per attribute type: from a record into what an editor holds (the user's text,
// kept as typed), and back into the JSON the API takes.
import type { AttributeDefinition, EntityRecord } from '../../api/types';

/** What a field editor holds: text as typed, a flag, or the values of a multi-choice. */
export type DraftValue = string | boolean | string[];
export type Draft = Record<string, DraftValue>;

/** Attributes the form does not edit: autonumbers, and those the server's actions and timers
 * keep (`read_only` in the metadata, e.g. a case's SLA status). */
export function isReadOnly(a: AttributeDefinition): boolean {
  return a.type === 'autonumber' || a.read_only === true;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** An RFC 3339 UTC instant as the value of <input type="datetime-local"> (local time). */
export function toLocalInput(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** The draft of a whole record (or of a new one, from the attributes' defaults). */
export function draftOf(attrs: readonly AttributeDefinition[], record: EntityRecord | undefined): Draft {
  const d: Draft = {};
  for (const a of attrs) {
    const v = record ? record[a.name] : a.default;
    switch (a.type) {
      case 'boolean':
        d[a.name] = v === true;
        break;
      case 'multi_choice':
        d[a.name] = Array.isArray(v) ? v.map(String) : [];
        break;
      case 'money':
        d[a.name] = v === null || v === undefined ? '' : String(v);
        d[`${a.name}_currency`] = typeof record?.[`${a.name}_currency`] === 'string' ? String(record[`${a.name}_currency`]) : '';
        break;
      case 'datetime':
        d[a.name] = typeof v === 'string' ? toLocalInput(v) : '';
        break;
      case 'json':
        d[a.name] = v === null || v === undefined ? '' : JSON.stringify(v, null, 2);
        break;
      default:
        d[a.name] = v === null || v === undefined ? '' : String(v);
    }
  }
  return d;
}

export type Converted = { ok: true; value: unknown } | { ok: false; code: string };

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)$/;

/** Normalises a number typed with grouping separators or a full-width (Chinese IME) form. */
function normaliseNumber(s: string): string {
  return s
    .trim()
    .replace(/[０-９]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[．。]/g, '.')
    .replace(/[,，\s]/g, '');
}

/** The JSON value of attribute `a` in `draft`, or the code of what is wrong with the text. */
export function valueOf(a: AttributeDefinition, draft: Draft): Converted {
  const raw = draft[a.name];
  switch (a.type) {
    case 'boolean':
      return { ok: true, value: raw === true };
    case 'multi_choice':
      return { ok: true, value: Array.isArray(raw) ? raw : [] };
    default:
      break;
  }
  const s = typeof raw === 'string' ? raw : '';
  if (s.trim() === '') return { ok: true, value: null };
  switch (a.type) {
    case 'integer': {
      const n = normaliseNumber(s);
      return INTEGER.test(n) ? { ok: true, value: Number(n) } : { ok: false, code: 'not_integer' };
    }
    case 'decimal':
    case 'money': {
      const n = normaliseNumber(s);
      return DECIMAL.test(n) ? { ok: true, value: Number(n) } : { ok: false, code: 'not_number' };
    }
    case 'datetime': {
      const d = new Date(s);
      return Number.isNaN(d.getTime()) ? { ok: false, code: 'invalid_format' } : { ok: true, value: d.toISOString() };
    }
    case 'json':
      try {
        return { ok: true, value: JSON.parse(s) };
      } catch {
        return { ok: false, code: 'not_json' };
      }
    default:
      return { ok: true, value: s };
  }
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The request body for saving `draft`: every editable attribute for a new record, only the
 * changed ones (against `initial`) for an existing one. Texts that do not convert are returned
 * as `errors` by attribute, and nothing is sent for them.
 */
export function payloadOf(
  attrs: readonly AttributeDefinition[],
  draft: Draft,
  initial: Draft | undefined,
): { body: Record<string, unknown>; errors: Record<string, string> } {
  const body: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const a of attrs) {
    if (isReadOnly(a)) continue;
    const c = valueOf(a, draft);
    if (!c.ok) {
      errors[a.name] = c.code;
      continue;
    }
    const changed = !initial || !same(draft[a.name], initial[a.name]);
    if (changed && !(initial === undefined && (c.value === null || (Array.isArray(c.value) && c.value.length === 0)))) {
      body[a.name] = c.value;
    }
    if (a.type === 'money') {
      const key = `${a.name}_currency`;
      const cur = String(draft[key] ?? '').trim().toUpperCase();
      if (cur && (!initial || cur !== initial[key])) body[key] = cur;
    }
  }
  return { body, errors };
}
