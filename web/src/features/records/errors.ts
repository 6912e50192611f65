// Maps an API error to the fields at fault, so each message is shown next to its field.
import { ApiError } from '../../api/client';

export interface FieldMessage {
  code: string;
  message: string;
}

export interface MappedErrors {
  /** Messages by attribute name. */
  fields: Record<string, FieldMessage[]>;
  /** Messages that belong to no field of the form (shown above it). */
  general: FieldMessage[];
}

/**
 * Splits `err` by target. `fields` are the attribute names of the form; a target naming the
 * currency of a money attribute (`revenue_currency`) or an `@odata.bind` (`account_id@odata.bind`)
 * belongs to that attribute. Repeated messages are shown once.
 */
export function mapErrors(err: unknown, fields: readonly string[]): MappedErrors {
  const out: MappedErrors = { fields: {}, general: [] };
  if (!(err instanceof ApiError)) {
    out.general.push({ code: 'network', message: err instanceof Error ? err.message : String(err) });
    return out;
  }
  const known = new Set(fields);
  const seen = new Set<string>();
  // With several faults the top-level error repeats the first detail: the details are the list.
  const entries = err.details.length > 0 ? err.details : [{ code: err.code, message: err.message, target: err.target }];
  for (const e of entries) {
    const field = fieldOf(e.target, known);
    const key = `${field ?? ''}\u0000${e.code}\u0000${e.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const msg = { code: e.code, message: e.message };
    if (field !== undefined) (out.fields[field] ??= []).push(msg);
    else out.general.push(msg);
  }
  return out;
}

function fieldOf(target: string | undefined, known: Set<string>): string | undefined {
  if (!target) return undefined;
  const t = target.replace(/@odata\.bind$/, '');
  if (known.has(t)) return t;
  const base = t.replace(/_currency$/, '');
  if (known.has(base)) return base;
  return undefined;
}

/** One line for an error outside a form (a board move, a row of a bulk action), translated. */
export function errorMessage(err: unknown, t: (key: string, opts?: Record<string, unknown>) => string): string {
  if (!(err instanceof ApiError)) return t('errors.network');
  const d = err.details[0] ?? err;
  return t(`errors.${d.code}`, { defaultValue: d.message, field: d.target ?? '' });
}
