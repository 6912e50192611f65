// The list of an entity set: columns from metadata (or the user's choice), sort by header
// ($orderby), a filter box (contains on the primary name) and a filter builder, saved views
// (personal and shared, ?view=<id>), export of the view as CSV, bulk edit, assign and delete of
// selected rows, and server-driven keyset paging (@odata.nextLink) rendered through a
// virtualised table body.
import { useEffect, useMemo, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { flexRender, getCoreRowModel, useReactTable } from '@tanstack/react-table';
import type { ColumnDef } from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useTranslation } from 'react-i18next';
import { Link, useParams, useSearchParams } from 'react-router';
import { API_ROOT, api, toLocalPath } from '../../api/client';
import { attributeLabel, entityLabel, entityPluralLabel, navName, primaryName, setName, useEntities, useEntity } from '../../api/metadata';
import { containsFilter, listPath, recordPath } from '../../api/odata';
import type { AttributeDefinition, EntityRecord, RecordPage } from '../../api/types';
import { formatValue } from './format';
import { errorMessage } from './errors';
import { ColumnChooser } from '../lists/ColumnChooser';
import { FilterBuilder } from '../lists/FilterBuilder';
import { saveColumns, savedColumns, shownColumns } from '../lists/columns';
import { allOf, buildFilter, filterable, parseModel } from '../lists/filter';
import type { FilterModel } from '../lists/filter';
import { BulkAssign, BulkEdit } from '../views/BulkActions';
import type { BulkResult } from '../views/BulkActions';
import { ViewPicker, useViews } from '../views/ViewPicker';
import { bulkRows, isModified, paramsFor } from '../views/views';
import type { ListState, SavedView } from '../views/views';
import { FieldValue } from '../../plugins/FieldValue';
import { CommandMenu } from '../../plugins/CommandMenu';

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

  const [chosen, setChosen] = useState<string[] | undefined>(() => (entity ? savedColumns(entity.name) : undefined));
  useEffect(() => {
    if (entity) setChosen(savedColumns(entity.name));
  }, [entity]);
  const viewId = params.get('view') ?? '';
  const views = useViews(entity ? setName(entity) : '');
  const active = useMemo(() => views.data?.find((v) => v.id === viewId), [views.data, viewId]);
  // Columns changed while a view is shown belong to that view's state, not to the remembered choice.
  const [viewCols, setViewCols] = useState<{ id: string; cols: string[] } | null>(null);
  const effectiveCols = active ? (viewCols?.id === active.id ? viewCols.cols : active.columns.length ? active.columns : chosen) : chosen;
  const columns = useMemo(() => (entity ? shownColumns(entity, effectiveCols) : []), [entity, effectiveCols]);
  const primary = entity ? primaryName(entity) : 'id';
  const entityName = entity?.name ?? '';
  const fParam = params.get('f');
  const model = useMemo(() => parseModel(fParam), [fParam]);
  const filterAttrs = useMemo(() => (entity?.attributes ?? []).filter(filterable), [entity]);
  const filter = useMemo(() => {
    const lookupName = (a: AttributeDefinition) => {
      const target = all.data?.find((e) => e.name === a.target);
      return target ? primaryName(target) : undefined;
    };
    return allOf(containsFilter(primary, q), buildFilter(model, filterAttrs, lookupName));
  }, [primary, q, model, filterAttrs, all.data]);
  const orderby = sort ? `${sort} ${desc ? 'desc' : 'asc'}` : undefined;
  const qc = useQueryClient();
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [bulk, setBulk] = useState<{ deleted: number; failures: { name: string; error: string }[] } | null>(null);
  const [deleting, setDeleting] = useState(false);
  const [bulkDone, setBulkDone] = useState<BulkResult | null>(null);
  const dialog = useRef<HTMLDialogElement>(null);

  const path = useMemo(() => {
    if (!entity) return '';
    const lookups = columns.filter((a) => a.type === 'lookup' && a.target);
    const expand = lookups.flatMap((a) => {
      const target = all.data?.find((e) => e.name === a.target);
      return target ? [`${a.name}($select=${primaryName(target)})`] : [];
    });
    const select = columns.map((a) => a.name);
    for (const a of columns) if (a.type === 'money') select.push(`${a.name}_currency`);
    return listPath(setName(entity), { select, filter, orderby, expand });
  }, [entity, columns, all.data, filter, orderby]);
  const exportHref = entity
    ? `${API_ROOT}/${listPath(setName(entity), { select: columns.map((a) => a.name), filter, orderby })}${filter || orderby || columns.length ? '&' : '?'}$format=csv`
    : '';

  const list = useInfiniteQuery({
    queryKey: ['list', path],
    enabled: !!path,
    initialPageParam: path,
    queryFn: async ({ pageParam, signal }) =>
      (await api<RecordPage>(pageParam, { signal, headers: { Prefer: `odata.maxpagesize=${PAGE_SIZE}` } })).data,
    getNextPageParam: (last) => (last['@odata.nextLink'] ? toLocalPath(last['@odata.nextLink']) : undefined),
  });
  const rows = useMemo(() => list.data?.pages.flatMap((p) => p.value) ?? [], [list.data]);
  const listState: ListState = useMemo(() => ({ model, q, sort, desc, columns: columns.map((a) => a.name) }), [model, q, sort, desc, columns]);
  const modified = active ? isModified(active, listState) : false;

  // A link or reload with only ?view=<id> shows the view's filter and order once it is loaded;
  // the plain list opens the user's default view, if they have one.
  const initial = useRef(true);
  useEffect(() => {
    initial.current = true;
  }, [set]);
  useEffect(() => {
    if (!initial.current || !views.isSuccess) return;
    initial.current = false;
    if (params.has('f') || params.has('q') || params.has('sort')) return;
    const v = params.has('view') ? active : views.data.find((x) => x.mine && x.is_default);
    if (v) setParams(paramsFor(v, params), { replace: true });
  }, [views.isSuccess, views.data, active, params, setParams]);

  const columnDefs = useMemo<ColumnDef<EntityRecord>[]>(
    () => [
      {
        id: '__select',
        header: () => (
          <input
            type="checkbox"
            aria-label={t('list.selectAll')}
            checked={rows.length > 0 && rows.every((r) => selected.has(String(r.id)))}
            onChange={(e) => setSelected(e.target.checked ? new Set(rows.map((r) => String(r.id))) : new Set())}
          />
        ),
        cell: ({ row }) => {
          const id = String(row.original.id);
          return (
            <input
              type="checkbox"
              aria-label={t('list.select', { name: String(row.original[primary] ?? id) })}
              checked={selected.has(id)}
              onChange={(e) =>
                setSelected((s) => {
                  const n = new Set(s);
                  if (e.target.checked) n.add(id);
                  else n.delete(id);
                  return n;
                })
              }
            />
          );
        },
      },
      ...columns.map((a: AttributeDefinition): ColumnDef<EntityRecord> => ({
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
          // A plugin's field renderer draws the value when one matches (the text otherwise).
          return <FieldValue entity={entityName} attr={a} record={r} formatted={shown} place="list" />;
        },
      })),
    ],
    [columns, lang, t, primary, set, all.data, rows, selected, entityName],
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

  const applyModel = (m: FilterModel) => {
    const next = new URLSearchParams(params);
    if (m.rows.length) next.set('f', JSON.stringify(m));
    else next.delete('f');
    setParams(next, { replace: true });
    setSelected(new Set());
  };
  const chooseColumns = (names: string[] | undefined) => {
    if (active) {
      setViewCols({ id: active.id, cols: names ?? [] });
      return;
    }
    saveColumns(entity.name, names);
    setChosen(names);
  };
  const chooseView = (v: SavedView | undefined) => {
    setParams(paramsFor(v, params));
    setViewCols(null);
    setSelected(new Set());
  };
  const bulkFinished = async (r: BulkResult) => {
    setBulk(null);
    setBulkDone(r);
    if (r.action === 'edit') setSelected(new Set());
    await qc.invalidateQueries({ queryKey: ['list'] });
  };
  const selectedRows = bulkRows(rows, selected, primary);
  const deleteSelected = async () => {
    setDeleting(true);
    const failures: { name: string; error: string }[] = [];
    let deleted = 0;
    // One DELETE per row (with its ETag), so each failure is reported against its row.
    for (const id of selected) {
      const r = rows.find((x) => String(x.id) === id);
      const headers: Record<string, string> = r?.['@odata.etag'] ? { 'If-Match': r['@odata.etag'] } : {};
      try {
        await api(recordPath(setName(entity), id), { method: 'DELETE', headers });
        deleted++;
      } catch (e) {
        failures.push({ name: String(r?.[primary] ?? id), error: errorMessage(e, t) });
      }
    }
    setDeleting(false);
    dialog.current?.close();
    setBulkDone(null);
    setBulk({ deleted, failures });
    setSelected(new Set());
    await qc.invalidateQueries({ queryKey: ['list'] });
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
      <ViewPicker
        set={set}
        views={views.data ?? []}
        active={active}
        modified={modified}
        state={listState}
        filter={filter}
        onChoose={chooseView}
      />
      <div className="list-tools">
        <FilterBuilder key={fParam ?? ''} attrs={filterAttrs} model={model} onApply={applyModel} />
        <ColumnChooser entity={entity} shown={columns} onChange={chooseColumns} />
        <a className="button secondary" href={exportHref} download title={t('list.exportHint')}>{t('list.export')}</a>
        <CommandMenu entity={entityName} set={set} refresh={() => qc.invalidateQueries({ queryKey: ['list'] })} />
        {selected.size > 0 && (
          <>
            <span className="muted" aria-live="polite">{t('list.selected', { count: selected.size })}</span>
            <BulkEdit entity={entity} set={set} rows={selectedRows} onDone={(r) => void bulkFinished(r)} />
            <BulkAssign set={set} rows={selectedRows} onDone={(r) => void bulkFinished(r)} />
            <button type="button" className="danger" onClick={() => dialog.current?.showModal()}>{t('list.deleteSelected')}</button>
          </>
        )}
      </div>
      <dialog ref={dialog} className="confirm" role="alertdialog" aria-labelledby="confirm-title" aria-describedby="confirm-text">
        <h2 id="confirm-title">{t('list.confirmTitle', { count: selected.size })}</h2>
        <p id="confirm-text">{t('list.confirmText')}</p>
        <div className="actions">
          <button type="button" className="secondary" autoFocus onClick={() => dialog.current?.close()}>{t('common.cancel')}</button>
          <button type="button" className="danger" disabled={deleting} onClick={() => void deleteSelected()}>
            {deleting ? t('common.working') : t('list.confirmDelete')}
          </button>
        </div>
      </dialog>
      {bulkDone && (
        <div className="status" role="status">
          <p>{t(bulkDone.action === 'edit' ? 'bulk.updated' : 'bulk.assigned', { count: bulkDone.ok })}</p>
        </div>
      )}
      {bulk && (
        <div className={bulk.failures.length ? 'form-error' : 'status'} role={bulk.failures.length ? 'alert' : 'status'}>
          {bulk.deleted > 0 && <p>{t('list.deleted', { count: bulk.deleted })}</p>}
          {bulk.failures.length > 0 && (
            <>
              <p>{t('list.deleteFailed', { count: bulk.failures.length })}</p>
              <ul>
                {bulk.failures.map((f, i) => (
                  <li key={i}>{t('list.failure', { name: f.name, error: f.error })}</li>
                ))}
              </ul>
            </>
          )}
        </div>
      )}
      {list.isError && <p className="form-error" role="alert">{t('errors.load')}</p>}
      <div className="table-scroll" ref={scroller}>
        <table aria-labelledby="list-title" aria-rowcount={list.hasNextPage ? -1 : rows.length + 1}>
          <thead>
            {table.getHeaderGroups().map((hg) => (
              <tr key={hg.id}>
                {hg.headers.map((h) => {
                  const active = sort === h.column.id;
                  if (h.column.id === '__select') {
                    return <th key={h.id} scope="col" className="select-col">{flexRender(h.column.columnDef.header, h.getContext())}</th>;
                  }
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
            {paddingTop > 0 && <tr aria-hidden="true"><td colSpan={columns.length + 1} style={{ height: paddingTop }} /></tr>}
            {items.map((vi) => {
              const row = table.getRowModel().rows[vi.index];
              if (!row) return null;
              return (
                <tr key={row.id} style={{ height: ROW_HEIGHT }}>
                  {row.getVisibleCells().map((c) => (
                    <td key={c.id} className={c.column.id === '__select' ? 'select-col' : undefined} data-label={typeof c.column.columnDef.header === 'string' ? c.column.columnDef.header : undefined}>{flexRender(c.column.columnDef.cell, c.getContext())}</td>
                  ))}
                </tr>
              );
            })}
            {paddingBottom > 0 && <tr aria-hidden="true"><td colSpan={columns.length + 1} style={{ height: paddingBottom }} /></tr>}
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
