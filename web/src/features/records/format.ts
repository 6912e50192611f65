// Display of attribute values by type, in the user's locale.
import type { AttributeDefinition } from '../../api/types';
import { label } from '../../api/metadata';
import { localeOf } from '../../i18n';

function toNumber(v: unknown): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
  return null;
}

export function formatDate(v: string, lang: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  if (!m) return v;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return new Intl.DateTimeFormat(localeOf(lang), { dateStyle: 'medium', timeZone: 'UTC' }).format(d);
}

export function formatDateTime(v: string, lang: string, timeZone?: string): string {
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) return v;
  const opts: Intl.DateTimeFormatOptions = { dateStyle: 'medium', timeStyle: 'short' };
  if (timeZone) opts.timeZone = timeZone;
  return new Intl.DateTimeFormat(localeOf(lang), opts).format(d);
}

export function formatMoney(amount: unknown, currency: unknown, lang: string): string {
  const n = toNumber(amount);
  if (n === null) return '';
  const cur = typeof currency === 'string' && /^[A-Z]{3}$/.test(currency) ? currency : 'USD';
  return new Intl.NumberFormat(localeOf(lang), { style: 'currency', currency: cur }).format(n);
}

export function optionLabel(a: AttributeDefinition, value: string, lang: string): string {
  const o = a.options?.find((x) => x.value === value);
  return o ? label(o.label, lang, value) : value;
}

/**
 * The text shown for `record[a.name]`. `yesNo` gives the words for booleans; lookups show the
 * expanded record's primary name when the caller passes it as `lookupName`.
 */
export function formatValue(
  a: AttributeDefinition,
  record: Record<string, unknown>,
  lang: string,
  yesNo: [string, string],
  lookupName?: string,
): string {
  const v = record[a.name];
  if (v === null || v === undefined || v === '') return '';
  switch (a.type) {
    case 'integer':
    case 'decimal': {
      const n = toNumber(v);
      return n === null ? String(v) : new Intl.NumberFormat(localeOf(lang), { maximumFractionDigits: a.scale ?? 10 }).format(n);
    }
    case 'money':
      return formatMoney(v, record[`${a.name}_currency`], lang);
    case 'date':
      return formatDate(String(v), lang);
    case 'datetime':
      return formatDateTime(String(v), lang);
    case 'boolean':
      return v ? yesNo[0] : yesNo[1];
    case 'choice':
      return optionLabel(a, String(v), lang);
    case 'multi_choice': {
      const items = Array.isArray(v) ? v.map((x) => optionLabel(a, String(x), lang)) : [String(v)];
      return new Intl.ListFormat(localeOf(lang), { style: 'narrow', type: 'unit' }).format(items);
    }
    case 'lookup':
      return lookupName ?? String(v);
    case 'json':
      return JSON.stringify(v);
    default:
      return String(v);
  }
}
