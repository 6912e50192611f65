// The search box in the header: type to see the best few matches across entities (debounced),
// arrow keys to move, Enter to open a record or the results page; "/" focuses it from anywhere.
// On phones it is a search button that opens the box over the header.
import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation, useNavigate } from 'react-router';
import { entityLabel, useEntities } from '../../api/metadata';
import { hitPath, isEditable, moveActive, resultsPath, searchable, useSearch } from './search';
import type { SearchHit } from './search';

/** How many matches the type-ahead shows. */
const TYPEAHEAD = 6;

function useDebounced<T>(v: T, ms: number): T {
  const [d, setD] = useState(v);
  useEffect(() => {
    const h = setTimeout(() => setD(v), ms);
    return () => clearTimeout(h);
  }, [v, ms]);
  return d;
}

export function GlobalSearch() {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const location = useLocation();
  const listId = useId();
  const inputId = useId();
  const input = useRef<HTMLInputElement>(null);
  const [text, setText] = useState('');
  const [open, setOpen] = useState(false);
  const [expanded, setExpanded] = useState(false); // phones: the box is shown
  const [active, setActive] = useState(-1);
  const q = useDebounced(text, 200);
  const results = useSearch(q, { top: TYPEAHEAD }, open);
  const entities = useEntities();
  const hits = searchable(text) ? (results.data?.value ?? []) : [];
  const count = searchable(text) ? hits.length + 1 : 0; // the hits, then "see all results"

  // "/" anywhere but in a text field focuses the box.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey || isEditable(document.activeElement)) return;
      e.preventDefault();
      setExpanded(true);
      setTimeout(() => input.current?.focus(), 0);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
  // Leaving a page closes the list (and the phone box).
  useEffect(() => {
    setOpen(false);
    setExpanded(false);
  }, [location.pathname, location.search]);

  const label = (h: SearchHit) => {
    const e = entities.data?.find((x) => x.name === h.entity);
    return e ? entityLabel(e, i18n.language) : h.entity;
  };
  const go = (path: string) => {
    setOpen(false);
    setActive(-1);
    input.current?.blur();
    navigate(path);
  };
  const submit = () => {
    const hit = active >= 0 ? hits[active] : undefined;
    if (hit) go(hitPath(hit));
    else if (searchable(text)) go(resultsPath(text));
  };

  return (
    <div className={`global-search${expanded ? ' expanded' : ''}`}>
      <button
        type="button"
        className="search-toggle"
        aria-expanded={expanded}
        aria-controls={inputId}
        onClick={() => {
          setExpanded(true);
          setTimeout(() => input.current?.focus(), 0);
        }}
      >
        <span aria-hidden="true">⌕</span>
        <span className="sr-only">{t('search.open')}</span>
      </button>
      <form
        role="search"
        className="search-form"
        aria-label={t('search.label')}
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <label htmlFor={inputId} className="sr-only">{t('search.label')}</label>
        <input
          ref={input}
          id={inputId}
          type="search"
          role="combobox"
          autoComplete="off"
          enterKeyHint="search"
          aria-autocomplete="list"
          aria-expanded={open && count > 0}
          aria-controls={listId}
          aria-activedescendant={open && active >= 0 && active < count ? `${listId}-${active}` : undefined}
          aria-keyshortcuts="/"
          placeholder={t('search.placeholder')}
          value={text}
          onFocus={() => setOpen(true)}
          onBlur={() => setTimeout(() => setOpen(false), 150)}
          onChange={(e) => {
            setText(e.target.value);
            setOpen(true);
            setActive(-1);
          }}
          onKeyDown={(e) => {
            if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
              e.preventDefault();
              setOpen(true);
              setActive((a) => moveActive(a, e.key === 'ArrowDown' ? 1 : -1, count));
            } else if (e.key === 'Enter' && active === hits.length && count > 0) {
              e.preventDefault();
              go(resultsPath(text));
            } else if (e.key === 'Escape') {
              if (open && count > 0) setOpen(false);
              else {
                setExpanded(false);
                input.current?.blur();
              }
            }
          }}
        />
        <button
          type="button"
          className="link search-close"
          onClick={() => {
            setExpanded(false);
            setOpen(false);
          }}
        >
          <span aria-hidden="true">×</span>
          <span className="sr-only">{t('search.close')}</span>
        </button>
        {open && count > 0 && (
          <ul id={listId} role="listbox" className="search-list" aria-label={t('search.suggestions')}>
            {hits.map((h, i) => (
              <li
                key={`${h.entity}/${h.id}`}
                id={`${listId}-${i}`}
                role="option"
                aria-selected={i === active}
                onMouseDown={(e) => {
                  e.preventDefault();
                  go(hitPath(h));
                }}
              >
                <span className="search-title">{h.title || t('search.untitled')}</span>
                <span className="search-entity">{label(h)}</span>
                {h.snippet && <span className="search-snippet">{h.snippet}</span>}
              </li>
            ))}
            {hits.length === 0 && (
              <li className="muted" role="option" aria-selected={false} aria-disabled="true">
                {results.isFetching || q !== text ? t('common.loading') : t('search.noMatches')}
              </li>
            )}
            <li
              id={`${listId}-${hits.length}`}
              role="option"
              aria-selected={active === hits.length}
              className="search-all"
              onMouseDown={(e) => {
                e.preventDefault();
                go(resultsPath(text));
              }}
            >
              {t('search.seeAll', { q: text.trim() })}
            </li>
          </ul>
        )}
      </form>
    </div>
  );
}
