// The options of a choice or multi-choice field: value + English label + Chinese label per row,
// added, removed and reordered with buttons (keyboard and touch alike). A new row's value follows
// its English label until the value is typed by hand; a stored option's value is fixed.
import { useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { FieldMessage } from '../records/errors';
import { Messages } from './Field';
import { addOption, moveOption, removeOption, suggestValue, updateOption } from './designer';
import type { OptionRow } from './designer';

export interface OptionEditorProps {
  rows: OptionRow[];
  onChange: (rows: OptionRow[]) => void;
  /** Errors by the API's targets: `options`, `options[i].value`, `options[i].label`. */
  errors: Record<string, FieldMessage[]>;
}

export function OptionEditor({ rows, onChange, errors }: OptionEditorProps) {
  const { t } = useTranslation();
  const list = useRef<HTMLOListElement>(null);

  // After a move or a removal, keep the keyboard where the user was.
  const focusLater = (selector: string) => setTimeout(() => list.current?.querySelector<HTMLElement>(selector)?.focus(), 0);

  const move = (i: number, by: number) => {
    onChange(moveOption(rows, i, by));
    const j = i + by;
    const edge = by < 0 ? j === 0 : j === rows.length - 1;
    focusLater(`[data-row="${j}"] .${edge ? (by < 0 ? 'down' : 'up') : by < 0 ? 'up' : 'down'}`);
  };
  const remove = (i: number) => {
    onChange(removeOption(rows, i));
    focusLater(`[data-row="${Math.max(0, i - 1)}"] input`);
  };
  const add = () => {
    onChange(addOption(rows));
    focusLater(`[data-row="${rows.length}"] input`);
  };
  const setEn = (i: number, en: string) => {
    const r = rows[i]!;
    const auto = !r.saved && (r.value === '' || r.value === suggestValue(r.en));
    onChange(updateOption(rows, i, auto ? { en, value: suggestValue(en) } : { en }));
  };

  const listErrors = errors.options;
  return (
    <fieldset className="options" aria-describedby={listErrors?.length ? 'options-error' : undefined}>
      <legend className="field-label">{t('admin.options.title')}</legend>
      <p className="hint">{t('admin.options.hint')}</p>
      <Messages id="options-error" errors={listErrors} field={t('admin.options.title')} />
      <ol className="option-rows" ref={list}>
        {rows.map((r, i) => {
          const n = i + 1;
          const vErr = errors[`options[${i}].value`];
          const lErr = errors[`options[${i}].label`];
          const id = `option-${r.key}`;
          return (
            <li key={r.key} data-row={i} className="option-row" aria-label={t('admin.options.row', { n })}>
              <div className="field">
                <label htmlFor={`${id}-en`} className="field-label">{t('admin.options.en', { n })}</label>
                <input
                  id={`${id}-en`}
                  value={r.en}
                  onChange={(e) => setEn(i, e.target.value)}
                  aria-invalid={lErr?.length ? true : undefined}
                  aria-describedby={lErr?.length ? `${id}-en-error` : undefined}
                />
                <Messages id={`${id}-en-error`} errors={lErr} field={t('admin.options.en', { n })} />
              </div>
              <div className="field">
                <label htmlFor={`${id}-zh`} className="field-label">{t('admin.options.zh', { n })}</label>
                <input id={`${id}-zh`} lang="zh-CN" value={r.zh} onChange={(e) => onChange(updateOption(rows, i, { zh: e.target.value }))} />
              </div>
              <div className="field">
                <label htmlFor={`${id}-value`} className="field-label">{t('admin.options.value', { n })}</label>
                <input
                  id={`${id}-value`}
                  className="mono"
                  value={r.value}
                  readOnly={r.saved}
                  spellCheck={false}
                  autoCapitalize="off"
                  onChange={(e) => onChange(updateOption(rows, i, { value: e.target.value }))}
                  aria-invalid={vErr?.length ? true : undefined}
                  aria-describedby={vErr?.length ? `${id}-value-error` : undefined}
                />
                <Messages id={`${id}-value-error`} errors={vErr} field={t('admin.options.value', { n })} />
              </div>
              <div className="option-buttons">
                <button type="button" className="secondary icon up" disabled={i === 0} onClick={() => move(i, -1)} aria-label={t('admin.options.up', { n })}>
                  <span aria-hidden="true">↑</span>
                </button>
                <button type="button" className="secondary icon down" disabled={i === rows.length - 1} onClick={() => move(i, 1)} aria-label={t('admin.options.down', { n })}>
                  <span aria-hidden="true">↓</span>
                </button>
                <button type="button" className="secondary icon" onClick={() => remove(i)} aria-label={t('admin.options.remove', { n })}>
                  <span aria-hidden="true">✕</span>
                </button>
              </div>
            </li>
          );
        })}
      </ol>
      <button type="button" className="secondary" onClick={add}>{t('admin.options.add')}</button>
    </fieldset>
  );
}
