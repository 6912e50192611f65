// Related lists under a record: one small table per one-to-many navigation found in metadata
// (an account's contacts, opportunities, cases…), each read with GET /<set>(<id>)/<nav>.
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../../api/client';
import { attributeLabel, defaultColumns, entityPluralLabel, primaryName, setName } from '../../api/metadata';
import { listPath, recordPath } from '../../api/odata';
import type { RecordPage } from '../../api/types';
import { formatValue } from '../records/format';
import type { OneToMany } from './navigations';

/** Rows shown per related list. */
export const RELATED_TOP = 5;

export interface RelatedListsProps {
  set: string;
  id: string;
  navigations: OneToMany[];
}

export function RelatedLists({ set, id, navigations }: RelatedListsProps) {
  const { t } = useTranslation();
  if (navigations.length === 0) return null;
  return (
    <section className="panel related" aria-labelledby="related-title">
      <h2 id="related-title">{t('related.title')}</h2>
      {navigations.map((n) => (
        <RelatedList key={n.name} set={set} id={id} nav={n} />
      ))}
    </section>
  );
}

function columnsOf(n: OneToMany) {
  // The primary name and two more plain columns; never the lookup back to this record.
  return defaultColumns(n.from, 8).filter((a) => a.name !== n.lookup.name && a.type !== 'lookup').slice(0, 3);
}

function RelatedList({ set, id, nav }: { set: string; id: string; nav: OneToMany }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const cols = columnsOf(nav);
  const select = cols.map((a) => a.name);
  for (const a of cols) if (a.type === 'money') select.push(`${a.name}_currency`);
  const path = listPath(`${recordPath(set, id)}/${nav.name}`, { select, orderby: 'modified_at desc', top: RELATED_TOP, count: true });
  const q = useQuery({
    queryKey: ['related', set, id, nav.name],
    queryFn: async ({ signal }) => (await api<RecordPage>(path, { signal })).data,
  });
  const headingId = `related-${nav.name}`;
  const title = nav.lookup.reverse_name || nav.from.attributes?.filter((a) => a.target === nav.lookup.target).length !== 1
    ? `${entityPluralLabel(nav.from, lang)} (${attributeLabel(nav.lookup, lang)})`
    : entityPluralLabel(nav.from, lang);
  const count = q.data?.['@odata.count'] ?? q.data?.value.length ?? 0;
  const rows = q.data?.value ?? [];
  const primary = primaryName(nav.from);
  const fromSet = setName(nav.from);
  return (
    <section className="related-list" aria-labelledby={headingId}>
      <div className="related-head">
        <h3 id={headingId}>
          {title} <span className="count">{q.isSuccess ? count : ''}</span>
        </h3>
        <Link className="button secondary small" to={`/${fromSet}/new?${encodeURIComponent(nav.lookup.name)}=${encodeURIComponent(id)}`}>
          {t('related.new')}
          <span className="sr-only">{`: ${title}`}</span>
        </Link>
      </div>
      {q.isPending && <p className="muted">{t('common.loading')}</p>}
      {q.isError && <p className="form-error" role="alert">{t('errors.load')}</p>}
      {q.isSuccess && rows.length === 0 && <p className="muted none">{t('related.none')}</p>}
      {rows.length > 0 && (
        <div className="table-scroll small">
          <table aria-labelledby={headingId}>
            <thead>
              <tr>
                {cols.map((a) => (
                  <th key={a.name} scope="col">{attributeLabel(a, lang)}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={String(r.id)}>
                  {cols.map((a) => {
                    const shown = formatValue(a, r, lang, [t('common.yes'), t('common.no')]);
                    return (
                      <td key={a.name} data-label={attributeLabel(a, lang)}>
                        {a.name === primary ? <Link to={`/${fromSet}/${encodeURIComponent(String(r.id))}`}>{shown || t('list.untitled')}</Link> : shown}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {count > rows.length && <p className="muted more">{t('related.shown', { shown: rows.length, count })}</p>}
    </section>
  );
}
