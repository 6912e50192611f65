// An attribute's value drawn by a plugin's field renderer, or null when no plugin draws it.
// Lists use it in cells (falling back to the text when there is no renderer or it fails); the
// record page shows it under the field's editor.
import { useTranslation } from 'react-i18next';
import type { AttributeDefinition } from '../api/types';
import type { FieldPlace } from './meridian-plugin';
import { currentLanguage, pluginFetch, usePlugins } from './index';
import { PluginMount } from './PluginMount';
import { pick, rendererFor } from './registry';

export interface FieldValueProps {
  entity: string;
  attr: AttributeDefinition;
  record: Record<string, unknown>;
  /** The value as the client formats it. */
  formatted: string;
  place: FieldPlace;
}

/** True when a plugin renders this attribute. */
export function useHasRenderer(entity: string, attr: AttributeDefinition): boolean {
  return !!rendererFor(usePlugins(), entity, attr);
}

export function FieldValue({ entity, attr, record, formatted, place }: FieldValueProps) {
  const { i18n } = useTranslation();
  const state = usePlugins();
  const r = rendererFor(state, entity, attr);
  if (!r) return place === 'list' ? <>{formatted}</> : null;
  const value = record[attr.name] ?? null;
  const extra = attr.type === 'money' ? record[`${attr.name}_currency`] : undefined;
  const lang = i18n.language;
  return (
    <PluginMount
      as="span"
      plugin={r.plugin}
      className={`plugin-field plugin-field-${place}`}
      revision={JSON.stringify([r.plugin, lang, value, extra, formatted, place])}
      fallback={() => (place === 'list' ? formatted : null)}
      render={(container) =>
        r.render(container, {
          entity,
          attribute: attr as unknown as Parameters<typeof r.render>[1]['attribute'],
          value,
          record,
          formatted,
          place,
          language: currentLanguage(),
          text: (b) => pick(b, currentLanguage()),
          fetch: pluginFetch,
        })
      }
    />
  );
}
