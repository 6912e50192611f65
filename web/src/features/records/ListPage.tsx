// The list of an entity set: columns from metadata, sort by header ($orderby), a filter box
// (contains on the primary name), and server-driven keyset paging (@odata.nextLink) rendered
// through a virtualised table body.
import { useEffect, useMemo, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { useInfiniteQuery } from '@tanstack/react-query';
import { flexRender, getCoreRowModel, useReactTable } from '@tanstack/react-table';
import type { ColumnDef } from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useTranslation } from 'react-i18next';
import { Link, useParams, useSearchParams } from 'react-router';
import { api, toLocalPath } from '../../api/client';
import { attributeLabel, defaultColumns, entityLabel, entityPluralLabel, navName, primaryName, setName, useEntities, useEntity } from '../../api/metadata';
import { containsFilter, listPath } from '../../api/odata';
import type { AttributeDefinition, EntityRecord, RecordPage } from '../../api/types';
import { formatValue } from './format';

const PAGE_SIZE = 50;
const ROW_HEIGHT = 40;

export default function ListPage() {
  const { set = '' } = useParams();
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const { entity, isPending, isError } = useEntity(set);
  const all = useEntities();
  const [params, setParams] = useSearchParams();
  const sort = params.get('sort') ?? '';
  const desc = params.get('dir') === 'desc';
  const q = params.get('q') ?? '';
  const [text, setText] = useState(q);
  useEffect(() => setText(q), [q, set]);

  const columns = useMemo(() => (entity ? defaultColumns(entity) : []), [entity]);
  const primary = entity ? primaryName(entity) : 'id';

  const path = useMemo(() => {
    if (!entity) return '';
    const lookups = columns.filter((a) => a.type === 'lookup' && a.target);
    const expand = lookups.flatMap((a) => {
      const target = all.data?.find((e) => e.name === a.target);
      return target ? [`${a.name}($select=${primaryName(target)})`] : [];
    });
    const select = columns.map((a) => a.name);
    for (const a of columns) if (a.type === 'money') select.push(`${a.name}_currency`);
    return listPath(setName(entity), {
      select,
      filter: containsFilter(primary, q),
      orderby: sort ? `${sort} ${desc ? 'desc' : 'asc'}` : undefined,
      expand,
    });
  }, [entity, columns, all.data, primary, q, sort, desc]);

  const list = useInfiniteQuery({
    queryKey: ['list', path],
    enabled: !!path,
    initialPageParam: path,
    queryFn: async ({ pageParam, signal }) =>
      (await api<RecordPage>(pageParam, { signal, headers: { Prefer: `odata.maxpagesize=${PAGE_SIZE}` } })).data,
    getNextPageParam: (last) => (last['@odata.nextLink'] ? toLocalPath(last['@odata.nextLink']) : undefined),
  });
  const rows = useMemo(() => list.data?.pages.flatMap((p) => p.value) ?? [], [list.data]);

  const columnDefs = useMemo<ColumnDef<EntityRecord>[]>(
    () =>
      columns.map((a: AttributeDefinition) => ({
        id: a.name,
        header: attributeLabel(a, lang),
        cell: ({ row }) => {
          const r = row.original;
          const nav = a.type === 'lookup' ? (r[navName(a)] as EntityRecord | undefined) : undefined;
          const target = nav ? all.data?.find((e) => e.name === a.target) : undefined;
          const name = nav && target ? (nav[primaryName(target)] as string | undefined) : undefined;
          const shown = formatValue(a, r, lang, [t('common.yes'), t('common.no')], name);
          if (a.name === primary) {
            return <Link to={`/${set}/${encodeURIComponent(String(r.id))}`}>{shown || t('list.untitled')}</Link>;
          }
          return shown;
        },
      })),
    [columns, lang, t, primary, set, all.data],
  );

  const table = useReactTable({ data: rows, columns: columnDefs, getCoreRowModel: getCoreRowModel(), manualSorting: true });

  const scroller = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  const items = virtual.getVirtualItems();
  const lastIndex = items.length ? items[items.length - 1]!.index : -1;
  useEffect(() => {
    // Fetch the next page when the last rendered row nears the end of what is loaded.
    if (lastIndex >= rows.length - 10 && list.hasNextPage && !list.isFetchingNextPage) void list.fetchNextPage();
  }, [lastIndex, rows.length, list]);

  if (isPending) return <p className="loading" role="status">{t('common.loading')}</p>;
  if (isError || !entity) return <p className="form-error" role="alert">{t('list.unknown', { set })}</p>;

  const toggleSort = (name: string) => {
    const next = new URLSearchParams(params);
    if (sort !== name) {
      next.set('sort', name);
      next.delete('dir');
    } else if (!desc) next.set('dir', 'desc');
    else {
      next.delete('sort');
      next.delete('dir');
    }
    setParams(next, { replace: true });
  };
  const applyFilter = (ev: FormEvent) => {
    ev.preventDefault();
    const next = new URLSearchParams(params);
    if (text.trim()) next.set('q', text.trim());
    else next.delete('q');
    setParams(next, { replace: true });
  };

  const paddingTop = items.length ? items[0]!.start : 0;
  const paddingBottom = items.length ? virtual.getTotalSize() - items[items.length - 1]!.end : 0;
  const title = entityPluralLabel(entity, lang);
  const primaryAttr = columns.find((c) => c.name === primary);

  return (
    <section className="list-page" aria-labelledby="list-title">
      <div className="page-head">
        <h1 id="list-title">{title}</h1>
        <Link to={`/${set}/new`} className="button">{t('list.new', { entity: entityLabel(entity, lang) })}</Link>
      </div>
      <form className="filter" role="search" onSubmit={applyFilter}>
        <label htmlFor="list-filter" className="sr-only">{t('list.filterLabel', { field: primaryAttr ? attributeLabel(primaryAttr, lang) : primary })}</label>
        <input
          id="list-filter"
          type="search"
          value={text}
          placeholder={t('list.filterPlaceholder', { field: primaryAttr ? attributeLabel(primaryAttr, lang) : primary })}
          onChange={(e) => setText(e.target.value)}
        />
        <button type="submit" className="secondary">{t('list.filter')}</button>
      </form>
      {list.isError && <p className="form-error" role="alert">{t('errors.load')}</p>}
      <div className="table-scroll" ref={scroller}>
        <table aria-labelledby="list-title" aria-rowcount={list.hasNextPage ? -1 : rows.length + 1}>
          <thead>
            {table.getHeaderGroups().map((hg) => (
              <tr key={hg.id}>
                {hg.headers.map((h) => {
                  const active = sort === h.column.id;
                  return (
                    <th key={h.id} scope="col" aria-sort={active ? (desc ? 'descending' : 'ascending') : 'none'}>
                      <button type="button" className="sort" onClick={() => toggleSort(h.column.id)}>
                        {flexRender(h.column.columnDef.header, h.getContext())}
                        <span aria-hidden="true" className="sort-mark">{active ? (desc ? '▼' : '▲') : ''}</span>
                      </button>
                    </th>
                  );
                })}
              </tr>
            ))}
          </thead>
          <tbody>
            {paddingTop > 0 && <tr aria-hidden="true"><td colSpan={columns.length} style={{ height: paddingTop }} /></tr>}
            {items.map((vi) => {
              const row = table.getRowModel().rows[vi.index];
              if (!row) return null;
              return (
                <tr key={row.id} style={{ height: ROW_HEIGHT }}>
                  {row.getVisibleCells().map((c) => (
                    <td key={c.id} data-label={String(c.column.columnDef.header)}>{flexRender(c.column.columnDef.cell, c.getContext())}</td>
                  ))}
                </tr>
              );
            })}
            {paddingBottom > 0 && <tr aria-hidden="true"><td colSpan={columns.length} style={{ height: paddingBottom }} /></tr>}
          </tbody>
        </table>
        {list.isSuccess && rows.length === 0 && <p className="empty">{t('list.empty')}</p>}
      </div>
      <div className="list-foot" aria-live="polite">
        <span>{list.isPending ? t('common.loading') : t('list.shown', { count: rows.length })}</span>
        {list.hasNextPage && (
          <button type="button" className="secondary" disabled={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
            {list.isFetchingNextPage ? t('common.loading') : t('list.more')}
          </button>
        )}
      </div>
    </section>
  );
}
