// The record page's plugin panels: one section per registered panel for the entity, each with
// its heading in the current language and the plugin's rendering (or its error) inside.
import { useTranslation } from 'react-i18next';
import type { RecordData } from './meridian-plugin';
import { currentLanguage, pluginFetch, usePlugins } from './index';
import { PluginMount } from './PluginMount';
import { panelsFor, pick } from './registry';

export interface PluginPanelsProps {
  entity: string;
  set: string;
  id: string;
  record: RecordData;
  refresh: () => Promise<void>;
  /** Panels render again when this changes (after a refresh). */
  refreshed?: number;
}

export function PluginPanels({ entity, set, id, record, refresh, refreshed = 0 }: PluginPanelsProps) {
  const { t, i18n } = useTranslation();
  const panels = panelsFor(usePlugins(), entity);
  const lang = i18n.language;
  const version = String(record['@odata.etag'] ?? record.modified_at ?? '');
  return (
    <>
      {panels.map((p) => {
        const key = `${p.plugin}--${p.id}`.replace(/[^A-Za-z0-9_-]/g, '_');
        const title = pick(p.title, lang);
        return (
          <section key={key} className="panel plugin-panel" aria-labelledby={`plugin-${key}-title`}>
            <h2 id={`plugin-${key}-title`}>{title}</h2>
            <PluginMount
              plugin={p.plugin}
              revision={JSON.stringify([lang, set, id, version, refreshed])}
              fallback={(message) => (
                <p className="form-error" role="alert">{t('plugins.panelFailed', { name: p.plugin, message })}</p>
              )}
              render={(container) =>
                p.render(container, {
                  entity,
                  set,
                  id,
                  record,
                  refresh,
                  language: currentLanguage(),
                  text: (b) => pick(b, currentLanguage()),
                  fetch: pluginFetch,
                })
              }
            />
          </section>
        );
      })}
    </>
  );
}
