// The results page (/search?q=…): the best matches across entities, each with its entity and an
// excerpt of the matching text, narrowed to one entity with the filter.
import { useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { ApiError } from '../../api/client';
import { entityLabel, setName, useEntities } from '../../api/metadata';
import { entitiesOf, hitPath, searchable, useSearch } from './search';

/** How many results the page shows. */
const PAGE = 50;

export default function SearchPage() {
  const { t, i18n } = useTranslation();
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const only = params.get('entity') ?? '';
  const [text, setText] = useState(q);
  const inputId = useId();
  const filterId = useId();
  const entities = useEntities();
  const entity = entities.data?.find((e) => e.name === only);
  const all = useSearch(q, { top: PAGE });
  const results = useSearch(q, { top: PAGE, entities: entity ? [setName(entity)] : [] }, !!entity);
  const shown = entity ? results : all;
  const hits = shown.data?.value ?? [];
  const partial = shown.data?.match === 'any' && hits.length > 0;
  const lang = i18n.language;

  useEffect(() => setText(q), [q]);
  useEffect(() => {
    document.title = q ? `${t('search.resultsFor', { q })} · Meridian` : 'Meridian';
  }, [q, t]);

  const labelOf = (name: string) => {
    const e = entities.data?.find((x) => x.name === name);
    return e ? entityLabel(e, lang) : name;
  };
  // The filter offers the entities of the unfiltered results.
  const found = entitiesOf(all.data?.value ?? []);
  if (entity && !found.includes(entity.name)) found.push(entity.name);

  return (
    <section className="search-page" aria-labelledby="search-heading">
      <h1 id="search-heading">{t('search.results')}</h1>
      <form
        role="search"
        className="search-page-form"
        aria-label={t('search.label')}
        onSubmit={(e) => {
          e.preventDefault();
          if (searchable(text)) setParams({ q: text.trim() });
        }}
      >
        <label htmlFor={inputId} className="sr-only">{t('search.label')}</label>
        <input id={inputId} type="search" value={text} placeholder={t('search.placeholder')} onChange={(e) => setText(e.target.value)} />
        <button type="submit">{t('search.submit')}</button>
      </form>
      {searchable(q) && found.length > 1 && (
        <div className="search-filter">
          <label htmlFor={filterId}>{t('search.entity')}</label>
          <select
            id={filterId}
            value={only}
            onChange={(e) => setParams(e.target.value ? { q, entity: e.target.value } : { q })}
          >
            <option value="">{t('search.allEntities')}</option>
            {found.map((name) => (
              <option key={name} value={name}>{labelOf(name)}</option>
            ))}
          </select>
        </div>
      )}
      {!searchable(q) && <p className="muted">{t('search.empty')}</p>}
      {shown.isError && (
        <p className="form-error" role="alert">
          {shown.error instanceof ApiError ? shown.error.message : t('search.failed')}
        </p>
      )}
      {searchable(q) && shown.isPending && <p className="loading" role="status">{t('common.loading')}</p>}
      {searchable(q) && shown.isSuccess && (
        <p className="muted" role="status">
          {hits.length === 0 ? t('search.none', { q }) : t('search.count', { count: hits.length, q })}
          {partial && <> {t('search.partial')}</>}
        </p>
      )}
      {hits.length > 0 && (
        <ol className="search-results">
          {hits.map((h) => (
            <li key={`${h.entity}/${h.id}`}>
              <Link to={hitPath(h)} className="search-title">{h.title || t('search.untitled')}</Link>
              <span className="search-entity">{labelOf(h.entity)}</span>
              {h.snippet && <p className="search-snippet">{h.snippet}</p>}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
