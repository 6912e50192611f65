// A lookup field: type to search the target entity by its primary name, pick with the mouse or
// the keyboard (ARIA combobox with a listbox popup).
import { useEffect, useId, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { primaryName, setName, useEntities } from '../../api/metadata';
import { containsFilter, listPath, recordPath } from '../../api/odata';
import type { EntityRecord, RecordPage } from '../../api/types';

export interface LookupEditorProps {
  id: string;
  name: string;
  target: string;
  value: string;
  onChange: (id: string) => void;
  initialName?: string | undefined;
  'aria-invalid'?: boolean | undefined;
  'aria-describedby'?: string | undefined;
  'aria-required'?: boolean | undefined;
}

function useDebounced<T>(v: T, ms: number): T {
  const [d, setD] = useState(v);
  useEffect(() => {
    const h = setTimeout(() => setD(v), ms);
    return () => clearTimeout(h);
  }, [v, ms]);
  return d;
}

export function LookupEditor({ id, name, target, value, onChange, initialName, ...aria }: LookupEditorProps) {
  const { t } = useTranslation();
  const listId = useId();
  const entities = useEntities();
  const entity = entities.data?.find((e) => e.name === target);
  const set = entity ? setName(entity) : undefined;
  const primary = entity ? primaryName(entity) : 'id';
  const [text, setText] = useState<string | null>(null); // null: not editing, show the name
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const search = useDebounced(text ?? '', 200);

  const current = useQuery({
    queryKey: ['lookup-name', target, value],
    enabled: !!set && !!value && !initialName,
    queryFn: async () => (await api<EntityRecord>(`${recordPath(set!, value)}?$select=${primary}`)).data,
    staleTime: 60_000,
  });
  const currentName = value ? (initialName ?? (current.data?.[primary] as string | undefined) ?? value) : '';

  const results = useQuery({
    queryKey: ['lookup-search', target, search],
    enabled: !!set && open,
    queryFn: async ({ signal }) =>
      (await api<RecordPage>(listPath(set!, { select: ['id', primary], filter: containsFilter(primary, search), orderby: primary, top: 8 }), { signal })).data.value,
    staleTime: 10_000,
  });
  const options = results.data ?? [];

  const choose = (r: EntityRecord) => {
    onChange(String(r.id));
    setText(null);
    setOpen(false);
  };

  return (
    <div className="lookup">
      <input
        {...aria}
        id={id}
        name={name}
        type="text"
        role="combobox"
        autoComplete="off"
        aria-autocomplete="list"
        aria-expanded={open}
        aria-controls={listId}
        aria-activedescendant={open && options[active] ? `${listId}-${active}` : undefined}
        placeholder={t('lookup.search')}
        value={text ?? currentName}
        onFocus={() => setOpen(true)}
        onChange={(e) => {
          setText(e.target.value);
          setOpen(true);
          setActive(0);
        }}
        onBlur={() => {
          setTimeout(() => setOpen(false), 150);
          setText(null);
        }}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') {
            e.preventDefault();
            setOpen(true);
            setActive((a) => Math.min(a + 1, Math.max(options.length - 1, 0)));
          } else if (e.key === 'ArrowUp') {
            e.preventDefault();
            setActive((a) => Math.max(a - 1, 0));
          } else if (e.key === 'Enter' && open && options[active]) {
            e.preventDefault();
            choose(options[active]);
          } else if (e.key === 'Escape') {
            setOpen(false);
            setText(null);
          }
        }}
      />
      {value && (
        <button type="button" className="link" onClick={() => onChange('')} aria-label={t('lookup.clear')}>
          ×
        </button>
      )}
      {open && (
        <ul id={listId} role="listbox" className="lookup-list" aria-label={t('lookup.results')}>
          {results.isFetching && options.length === 0 && <li className="muted">{t('common.loading')}</li>}
          {!results.isFetching && options.length === 0 && <li className="muted">{t('lookup.noMatches')}</li>}
          {options.map((r, i) => (
            <li
              key={String(r.id)}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === active}
              onMouseDown={(e) => {
                e.preventDefault();
                choose(r);
              }}
            >
              {String(r[primary] ?? r.id)}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
