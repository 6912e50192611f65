// The list's filter builder: rows of field / operator / value (editors by attribute type), joined
// by and/or. Applying puts the model in the URL; the list turns it into `$filter` (filter.ts).
import { useState } from 'react';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { attributeLabel } from '../../api/metadata';
import type { AttributeDefinition } from '../../api/types';
import { optionLabel } from '../records/format';
import { needsValue, operatorsFor, rowProblem } from './filter';
import type { Condition, FilterModel, Operator } from './filter';

export interface FilterBuilderProps {
  attrs: AttributeDefinition[];
  model: FilterModel;
  onApply: (m: FilterModel) => void;
}

export function FilterBuilder({ attrs, model, onApply }: FilterBuilderProps) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const [open, setOpen] = useState(false);
  const [draft, setDraft] = useState<FilterModel>(model);
  const [checked, setChecked] = useState(false);
  const active = model.rows.length;

  const toggle = () => {
    if (!open) {
      setDraft(model.rows.length ? model : { ...model, rows: [blankRow(attrs)].filter((r): r is Condition => !!r) });
      setChecked(false);
    }
    setOpen(!open);
  };
  const setRow = (i: number, r: Condition) => setDraft((d) => ({ ...d, rows: d.rows.map((x, j) => (j === i ? r : x)) }));
  const attrOf = (name: string) => attrs.find((a) => a.name === name);

  const apply = (ev: FormEvent) => {
    ev.preventDefault();
    setChecked(true);
    const bad = draft.rows.findIndex((r) => rowProblem(attrOf(r.attr), r));
    if (bad >= 0) {
      document.getElementById(`cond-${bad}-value`)?.focus();
      return;
    }
    onApply(draft);
    setOpen(false);
  };

  return (
    <div className="filter-builder">
      <button type="button" className="secondary" aria-expanded={open} aria-controls="filter-panel" onClick={toggle}>
        {active ? t('filters.active', { count: active }) : t('filters.open')}
      </button>
      {open && (
        <form id="filter-panel" className="filter-panel" aria-label={t('filters.title')} onSubmit={apply} noValidate>
          <label className="join">
            <span>{t('filters.join')}</span>
            <select value={draft.join} onChange={(e) => setDraft({ ...draft, join: e.target.value === 'or' ? 'or' : 'and' })}>
              <option value="and">{t('filters.and')}</option>
              <option value="or">{t('filters.or')}</option>
            </select>
          </label>
          {draft.rows.length === 0 && <p className="muted">{t('filters.none')}</p>}
          {draft.rows.map((r, i) => {
            const a = attrOf(r.attr);
            const problem = checked ? rowProblem(a, r) : undefined;
            return (
              <fieldset key={i} className="condition">
                <legend className="sr-only">{t('filters.row', { n: i + 1 })}</legend>
                <label>
                  <span className="sr-only">{t('filters.field')}</span>
                  <select
                    aria-label={`${t('filters.field')} ${i + 1}`}
                    value={r.attr}
                    onChange={(e) => {
                      const na = attrOf(e.target.value);
                      setRow(i, { attr: e.target.value, op: na ? operatorsFor(na)[0]! : 'eq', value: '' });
                    }}
                  >
                    {attrs.map((x) => (
                      <option key={x.name} value={x.name}>{attributeLabel(x, lang)}</option>
                    ))}
                  </select>
                </label>
                <label>
                  <span className="sr-only">{t('filters.operator')}</span>
                  <select
                    aria-label={`${t('filters.operator')} ${i + 1}`}
                    value={r.op}
                    onChange={(e) => setRow(i, { ...r, op: e.target.value as Operator, values: [] })}
                  >
                    {(a ? operatorsFor(a) : []).map((op) => (
                      <option key={op} value={op}>{t(`filters.ops.${op}`)}</option>
                    ))}
                  </select>
                </label>
                {a && needsValue(r.op) && <ValueEditor a={a} row={r} index={i} lang={lang} invalid={!!problem} onChange={(nr) => setRow(i, nr)} />}
                <button
                  type="button"
                  className="secondary remove"
                  aria-label={t('filters.remove', { n: i + 1 })}
                  onClick={() => setDraft((d) => ({ ...d, rows: d.rows.filter((_, j) => j !== i) }))}
                >
                  <span aria-hidden="true">×</span>
                </button>
                {problem && <p className="field-error" id={`cond-${i}-error`}>{t(`filters.${problem}`)}</p>}
              </fieldset>
            );
          })}
          <div className="actions">
            <button
              type="button"
              className="secondary"
              onClick={() => {
                const r = blankRow(attrs);
                if (r) setDraft((d) => ({ ...d, rows: [...d.rows, r] }));
              }}
            >
              {t('filters.add')}
            </button>
            <button type="button" className="secondary" onClick={() => setDraft({ ...draft, rows: [] })}>{t('filters.clear')}</button>
            <button type="submit">{t('filters.apply')}</button>
          </div>
        </form>
      )}
    </div>
  );
}

function blankRow(attrs: AttributeDefinition[]): Condition | undefined {
  const a = attrs[0];
  return a ? { attr: a.name, op: operatorsFor(a)[0]!, value: '' } : undefined;
}

interface ValueEditorProps {
  a: AttributeDefinition;
  row: Condition;
  index: number;
  lang: string;
  invalid: boolean;
  onChange: (r: Condition) => void;
}

/** The value editor of a row, by attribute type and operator. */
function ValueEditor({ a, row, index, lang, invalid, onChange }: ValueEditorProps) {
  const { t } = useTranslation();
  const id = `cond-${index}-value`;
  const common = {
    id,
    'aria-label': `${t('filters.value')} ${index + 1}`,
    'aria-invalid': invalid || undefined,
    'aria-describedby': invalid ? `cond-${index}-error` : undefined,
  };
  const set = (value: string) => onChange({ ...row, value });
  if ((a.type === 'choice' || a.type === 'multi_choice') && row.op === 'in') {
    return (
      <fieldset className="choices in-values" id={id} tabIndex={-1} aria-describedby={common['aria-describedby']}>
        <legend className="sr-only">{`${t('filters.values')} ${index + 1}`}</legend>
        {(a.options ?? []).map((o) => {
          const on = row.values?.includes(o.value) ?? false;
          return (
            <label key={o.value} className="check">
              <input
                type="checkbox"
                checked={on}
                onChange={() => onChange({ ...row, values: on ? (row.values ?? []).filter((v) => v !== o.value) : [...(row.values ?? []), o.value] })}
              />
              {optionLabel(a, o.value, lang)}
            </label>
          );
        })}
      </fieldset>
    );
  }
  if (a.type === 'choice' || a.type === 'multi_choice' || a.type === 'boolean') {
    const options = a.type === 'boolean'
      ? [{ value: 'true', text: t('common.yes') }, { value: 'false', text: t('common.no') }]
      : (a.options ?? []).map((o) => ({ value: o.value, text: optionLabel(a, o.value, lang) }));
    return (
      <select {...common} value={row.value} onChange={(e) => set(e.target.value)}>
        <option value="">{t('filters.choose')}</option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>{o.text}</option>
        ))}
      </select>
    );
  }
  const type = a.type === 'date' ? 'date' : a.type === 'datetime' ? 'datetime-local' : 'text';
  const numeric = a.type === 'integer' || a.type === 'decimal' || a.type === 'money';
  return <input {...common} type={type} inputMode={numeric ? 'decimal' : undefined} value={row.value} onChange={(e) => set(e.target.value)} />;
}
