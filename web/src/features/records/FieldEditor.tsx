// One editor per attribute type. Every editor is labelled, shows its errors beside it
// (aria-invalid + aria-describedby) and keeps exactly what the user typed.
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { AttributeDefinition } from '../../api/types';
import { attributeLabel, label } from '../../api/metadata';
import type { Draft, DraftValue } from './fields';
import { isReadOnly, valueOf } from './fields';
import { formatValue } from './format';
import type { FieldMessage } from './errors';
import { LookupEditor } from './LookupEditor';

export const CURRENCIES = ['CNY', 'USD', 'EUR', 'GBP', 'JPY', 'HKD', 'SGD', 'AUD', 'CAD', 'CHF', 'KRW', 'INR'];

export interface FieldEditorProps {
  attr: AttributeDefinition;
  draft: Draft;
  onChange: (name: string, value: DraftValue) => void;
  errors?: FieldMessage[] | undefined;
  /** Primary name of the record a lookup points to, when the page already has it. */
  lookupName?: string | undefined;
  /** Shown under the editor (a plugin's rendering of the saved value). */
  extra?: ReactNode;
  /** The whole record is read-only (closed: a resolved case, a won opportunity). */
  locked?: boolean;
}

export function FieldEditor({ attr, draft, onChange, errors, lookupName, extra, locked }: FieldEditorProps) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const id = `field-${attr.name}`;
  const errId = `${id}-error`;
  const invalid = (errors?.length ?? 0) > 0;
  const text = typeof draft[attr.name] === 'string' ? (draft[attr.name] as string) : '';
  const common = {
    id,
    name: attr.name,
    'aria-invalid': invalid || undefined,
    'aria-describedby': invalid ? errId : undefined,
    'aria-required': attr.required || undefined,
  } as const;
  const set = (v: DraftValue) => onChange(attr.name, v);
  const caption = attributeLabel(attr, lang);

  let editor: ReactNode;
  let group = false;
  const readOnly = locked || isReadOnly(attr);
  switch (readOnly ? 'read_only' : attr.type) {
    case 'read_only': {
      // The value as text, not an editor: the server keeps it (or the record is closed).
      const c = valueOf(attr, draft);
      const shown = c.ok
        ? formatValue(attr, { [attr.name]: c.value, [`${attr.name}_currency`]: draft[`${attr.name}_currency`] }, lang, [t('common.yes'), t('common.no')], lookupName)
        : text;
      editor = <input {...common} type="text" value={shown} readOnly placeholder={attr.type === 'autonumber' ? t('field.autonumber') : undefined} />;
      break;
    }
    case 'text':
    case 'json':
      editor = (
        <textarea
          {...common}
          rows={attr.type === 'json' ? 6 : 4}
          value={text}
          spellCheck={attr.type === 'text'}
          className={attr.type === 'json' ? 'mono' : undefined}
          maxLength={attr.max_length || undefined}
          onChange={(e) => set(e.target.value)}
        />
      );
      break;
    case 'integer':
    case 'decimal':
      editor = <input {...common} type="text" inputMode={attr.type === 'integer' ? 'numeric' : 'decimal'} value={text} onChange={(e) => set(e.target.value)} />;
      break;
    case 'money': {
      const curKey = `${attr.name}_currency`;
      const cur = typeof draft[curKey] === 'string' ? (draft[curKey] as string) : '';
      const choices = cur && !CURRENCIES.includes(cur) ? [cur, ...CURRENCIES] : CURRENCIES;
      editor = (
        <div className="money">
          <input {...common} type="text" inputMode="decimal" value={text} onChange={(e) => set(e.target.value)} />
          <select
            aria-label={t('field.currencyOf', { field: caption })}
            value={cur}
            onChange={(e) => onChange(curKey, e.target.value)}
          >
            <option value="">{t('field.defaultCurrency')}</option>
            {choices.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </div>
      );
      break;
    }
    case 'boolean':
      editor = (
        <input
          {...common}
          type="checkbox"
          checked={draft[attr.name] === true}
          onChange={(e) => set(e.target.checked)}
        />
      );
      break;
    case 'date':
      editor = <input {...common} type="date" value={text} onChange={(e) => set(e.target.value)} />;
      break;
    case 'datetime':
      editor = <input {...common} type="datetime-local" value={text} onChange={(e) => set(e.target.value)} />;
      break;
    case 'choice':
      editor = (
        <select {...common} value={text} onChange={(e) => set(e.target.value)}>
          <option value="">{t('field.none')}</option>
          {text && !attr.options?.some((o) => o.value === text) && <option value={text}>{text}</option>}
          {attr.options?.map((o) => (
            <option key={o.value} value={o.value}>
              {label(o.label, lang, o.value)}
            </option>
          ))}
        </select>
      );
      break;
    case 'multi_choice': {
      group = true;
      const values = Array.isArray(draft[attr.name]) ? (draft[attr.name] as string[]) : [];
      editor = (
        <div className="choices" role="group" aria-labelledby={`${id}-legend`} aria-describedby={common['aria-describedby']} aria-invalid={common['aria-invalid']}>
          {attr.options?.map((o) => (
            <label key={o.value} className="check">
              <input
                type="checkbox"
                name={attr.name}
                value={o.value}
                checked={values.includes(o.value)}
                onChange={(e) => set(e.target.checked ? [...values, o.value] : values.filter((v) => v !== o.value))}
              />
              {label(o.label, lang, o.value)}
            </label>
          ))}
        </div>
      );
      break;
    }
    case 'lookup':
      editor = attr.target && attr.target !== '*' ? (
        <LookupEditor {...common} target={attr.target} value={text} onChange={set} initialName={lookupName} />
      ) : (
        <input {...common} type="text" value={text} onChange={(e) => set(e.target.value)} />
      );
      break;
    case 'email':
      editor = <input {...common} type="email" autoComplete="off" value={text} maxLength={attr.max_length || undefined} onChange={(e) => set(e.target.value)} />;
      break;
    case 'phone':
      editor = <input {...common} type="tel" value={text} maxLength={attr.max_length || undefined} onChange={(e) => set(e.target.value)} />;
      break;
    case 'url':
      editor = <input {...common} type="url" value={text} maxLength={attr.max_length || undefined} onChange={(e) => set(e.target.value)} />;
      break;
    default:
      editor = <input {...common} type="text" value={text} maxLength={attr.max_length || undefined} onChange={(e) => set(e.target.value)} />;
  }

  return (
    <div className={`field field-${attr.type}${invalid ? ' invalid' : ''}${readOnly ? ' readonly' : ''}`}>
      {group ? (
        <span className="field-label" id={`${id}-legend`}>
          {caption}
          {attr.required && <span className="req" aria-hidden="true"> *</span>}
        </span>
      ) : (
        <label htmlFor={id} className="field-label">
          {caption}
          {attr.required && <span className="req" aria-hidden="true"> *</span>}
        </label>
      )}
      {editor}
      {extra}
      {invalid && (
        <ul className="field-error" id={errId}>
          {errors!.map((e, i) => (
            <li key={i}>{t(`errors.${e.code}`, { defaultValue: e.message, field: caption })}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
