// The list's column chooser: a checkbox per listable attribute (from metadata); the choice is
// remembered per entity in the browser (columns.ts).
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { attributeLabel, primaryName } from '../../api/metadata';
import type { AttributeDefinition, EntityDefinition } from '../../api/types';
import { listable } from './columns';

export interface ColumnChooserProps {
  entity: EntityDefinition;
  shown: AttributeDefinition[];
  onChange: (names: string[] | undefined) => void;
}

export function ColumnChooser({ entity, shown, onChange }: ColumnChooserProps) {
  const { t, i18n } = useTranslation();
  const [open, setOpen] = useState(false);
  const primary = primaryName(entity);
  const names = new Set(shown.map((a) => a.name));
  const toggle = (name: string) => {
    const next = new Set(names);
    if (next.has(name)) next.delete(name);
    else next.add(name);
    onChange(listable(entity).map((a) => a.name).filter((n) => next.has(n)));
  };
  return (
    <div className="column-chooser">
      <button type="button" className="secondary" aria-expanded={open} aria-controls="column-panel" onClick={() => setOpen(!open)}>
        {t('list.columns')}
      </button>
      {open && (
        <fieldset id="column-panel" className="column-panel">
          <legend>{t('list.columnsLegend')}</legend>
          {listable(entity).map((a) => (
            <label key={a.name} className="check">
              <input type="checkbox" checked={names.has(a.name)} disabled={a.name === primary} onChange={() => toggle(a.name)} />
              {attributeLabel(a, i18n.language)}
            </label>
          ))}
          <button type="button" className="link" onClick={() => onChange(undefined)}>{t('list.columnsReset')}</button>
        </fieldset>
      )}
    </div>
  );
}
