// The opportunity pipeline: open opportunities in one column per sales stage (options from
// metadata), totals per column computed by the server ($apply), and drag and drop (mouse, touch
// or keyboard, through dnd-kit) to change a card's stage with If-Match.
import { useMemo, useRef, useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  DndContext,
  DragOverlay,
  KeyboardSensor,
  MouseSensor,
  TouchSensor,
  rectIntersection,
  useDraggable,
  useDroppable,
  useSensor,
  useSensors,
} from '@dnd-kit/core';
import type { Announcements, DragEndEvent, DragStartEvent, KeyboardCoordinateGetter } from '@dnd-kit/core';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { Link, useSearchParams } from 'react-router';
import { ApiError, api } from '../../api/client';
import { label, useEntities } from '../../api/metadata';
import { listPath, recordPath } from '../../api/odata';
import type { EntityRecord, RecordPage } from '../../api/types';
import { useMe } from '../auth/session';
import { errorMessage } from '../records/errors';
import { formatDate, formatMoney } from '../records/format';
import { boardFilter, moveCard, NO_STAGE, stageOf, stageTotals, totalsApply } from './pipeline';
import type { AggregateRow, StageTotal } from './pipeline';

/** Cards loaded at most (the totals count every open opportunity). */
const MAX_CARDS = 500;
const SET = 'opportunities';

interface Column {
  id: string;
  title: string;
}

export default function PipelineBoard() {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const me = useMe();
  const entities = useEntities();
  const qc = useQueryClient();
  const [params, setParams] = useSearchParams();
  const mine = params.get('owner') === 'mine';
  const owner = mine ? me.data?.user_id : undefined;
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const [activeId, setActiveId] = useState<string | null>(null);

  const opportunity = entities.data?.find((e) => e.name === 'opportunity');
  const stageAttr = opportunity?.attributes?.find((a) => a.name === 'stage');

  const cardsPath = listPath(SET, {
    select: ['name', 'account_id', 'amount', 'stage', 'close_date'],
    filter: boardFilter(owner),
    orderby: 'close_date asc,name asc',
    expand: ['account($select=name)'],
  });
  const cardsKey = ['pipeline', 'cards', owner ?? 'all'] as const;
  const totalsKey = ['pipeline', 'totals', owner ?? 'all'] as const;
  const cards = useQuery({
    queryKey: cardsKey,
    enabled: !!opportunity && (!mine || !!me.data),
    queryFn: async ({ signal }) =>
      (await api<RecordPage>(cardsPath, { signal, headers: { Prefer: `odata.maxpagesize=${MAX_CARDS}` } })).data,
  });
  const totals = useQuery({
    queryKey: totalsKey,
    enabled: !!opportunity && (!mine || !!me.data),
    queryFn: async ({ signal }) =>
      stageTotals((await api<{ value: AggregateRow[] }>(`${SET}?$apply=${encodeURIComponent(totalsApply(owner))}`, { signal })).data.value),
  });

  const rows = useMemo(() => cards.data?.value ?? [], [cards.data]);
  const columns = useMemo<Column[]>(() => {
    const cols: Column[] = (stageAttr?.options ?? []).map((o) => ({ id: o.value, title: label(o.label, lang, o.value) }));
    // Opportunities whose stage was cleared (or is no longer an option) get a column of their own.
    const known = new Set(cols.map((c) => c.id));
    const stray = rows.some((r) => !known.has(stageOf(r))) || [...(totals.data?.keys() ?? [])].some((k) => !known.has(k));
    if (stray) cols.push({ id: NO_STAGE, title: t('pipeline.noStage') });
    return cols;
  }, [stageAttr, lang, rows, totals.data, t]);
  const titleOf = (id: string) => columns.find((c) => c.id === id)?.title ?? id;
  const byStage = useMemo(() => {
    const m = new Map<string, EntityRecord[]>();
    const known = new Set(columns.map((c) => c.id));
    for (const r of rows) {
      const s = known.has(stageOf(r)) ? stageOf(r) : NO_STAGE;
      m.set(s, [...(m.get(s) ?? []), r]);
    }
    return m;
  }, [rows, columns]);

  const move = useMutation({
    mutationFn: async ({ card, stage }: { card: EntityRecord; stage: string }) => {
      const headers: Record<string, string> = { Prefer: 'return=representation' };
      if (card['@odata.etag']) headers['If-Match'] = card['@odata.etag'];
      return (await api<EntityRecord>(recordPath(SET, String(card.id)), {
        method: 'PATCH',
        headers,
        body: { stage: stage === NO_STAGE ? null : stage },
      })).data;
    },
    onMutate: async ({ card, stage }) => {
      setMessage(null);
      await qc.cancelQueries({ queryKey: cardsKey });
      const before = qc.getQueryData<RecordPage>(cardsKey);
      if (before) qc.setQueryData<RecordPage>(cardsKey, { ...before, value: moveCard(before.value, String(card.id), stage) });
      return { before };
    },
    onError: (err, { card }, ctx) => {
      // Put the card back where it was and say why.
      if (ctx?.before) qc.setQueryData(cardsKey, ctx.before);
      setMessage({ kind: 'error', text: t('pipeline.failed', { name: String(card.name ?? ''), error: errorMessage(err, t) }) });
      if (err instanceof ApiError && err.code === 'etag_mismatch') void qc.invalidateQueries({ queryKey: ['pipeline'] });
    },
    onSuccess: (saved, { card, stage }) => {
      const now = qc.getQueryData<RecordPage>(cardsKey);
      if (now) {
        // Keep the new ETag (and the expanded account, which a PATCH answer does not carry).
        qc.setQueryData<RecordPage>(cardsKey, {
          ...now,
          value: now.value.map((c) => (c.id === card.id ? { ...c, ...saved, account: c.account } : c)),
        });
      }
      setMessage({ kind: 'ok', text: t('pipeline.moved', { name: String(card.name ?? ''), stage: titleOf(stage) }) });
      void qc.invalidateQueries({ queryKey: totalsKey });
    },
  });

  // Arrow keys move a picked-up card from column to column (not pixel by pixel). The column aimed
  // at is kept here rather than read from dnd-kit's `over`, which trails a fast key press; its
  // position is measured live, since the board may have scrolled sideways to show it.
  const keyTarget = useRef<number | null>(null);
  const coordinateGetter = useMemo<KeyboardCoordinateGetter>(
    () => (event, { context, currentCoordinates }) => {
      if (event.code !== 'ArrowRight' && event.code !== 'ArrowLeft') return undefined;
      event.preventDefault();
      const activeCard = rows.find((r) => r.id === context.active?.id);
      const from = keyTarget.current ?? columns.findIndex((c) => c.id === (activeCard ? stageOf(activeCard) : ''));
      const to = Math.max(0, Math.min(columns.length - 1, from + (event.code === 'ArrowRight' ? 1 : -1)));
      const next = columns[to];
      const node = next ? context.droppableContainers.get(next.id)?.node.current : null;
      if (!node) return undefined;
      node.parentElement?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
      keyTarget.current = to;
      // Keep the height: the columns are all as tall as the tallest, so the card lands in the aimed one.
      return { x: node.getBoundingClientRect().left + 8, y: currentCoordinates.y };
    },
    [rows, columns],
  );
  const sensors = useSensors(
    useSensor(MouseSensor, { activationConstraint: { distance: 6 } }),
    useSensor(TouchSensor, { activationConstraint: { delay: 250, tolerance: 8 } }),
    // Space picks up and drops (Enter on a button also clicks it, which ended the drag at once).
    useSensor(KeyboardSensor, { coordinateGetter, scrollBehavior: 'auto', keyboardCodes: { start: ['Space'], cancel: ['Escape'], end: ['Space'] } }),
  );

  const nameOf = (id: unknown) => String(rows.find((r) => r.id === id)?.name ?? '');
  const announcements: Announcements = {
    onDragStart: ({ active }) => {
      const card = rows.find((r) => r.id === active.id);
      return t('pipeline.pickedUp', { name: nameOf(active.id), stage: card ? titleOf(stageOf(card)) : '' });
    },
    onDragOver: ({ active, over }) => (over ? t('pipeline.over', { name: nameOf(active.id), stage: titleOf(String(over.id)) }) : undefined),
    onDragEnd: ({ active, over }) =>
      over ? t('pipeline.dropped', { name: nameOf(active.id), stage: titleOf(String(over.id)) }) : t('pipeline.cancelled', { name: nameOf(active.id) }),
    onDragCancel: ({ active }) => t('pipeline.cancelled', { name: nameOf(active.id) }),
  };

  const onDragStart = (e: DragStartEvent) => {
    keyTarget.current = null;
    setActiveId(String(e.active.id));
  };
  const onDragEnd = (e: DragEndEvent) => {
    // With the keyboard the aimed column decides: `over` may not yet reflect the last scroll.
    const aimed = e.activatorEvent instanceof KeyboardEvent && keyTarget.current !== null ? columns[keyTarget.current]?.id : undefined;
    setActiveId(null);
    keyTarget.current = null;
    const card = rows.find((r) => r.id === e.active.id);
    const to = aimed ?? (e.over ? String(e.over.id) : undefined);
    if (!card || !to || to === stageOf(card)) return;
    move.mutate({ card, stage: to });
  };

  const setOwner = (v: 'mine' | 'all') => {
    const next = new URLSearchParams(params);
    if (v === 'mine') next.set('owner', 'mine');
    else next.delete('owner');
    setParams(next, { replace: true });
  };

  if (entities.isPending) return <p className="loading" role="status">{t('common.loading')}</p>;
  if (!opportunity) return <p className="form-error" role="alert">{t('list.unknown', { set: SET })}</p>;

  const activeCard = activeId ? rows.find((r) => r.id === activeId) : undefined;
  const total = [...(totals.data?.values() ?? [])].reduce((n, x) => n + x.n, 0);

  return (
    <section className="pipeline" aria-labelledby="pipeline-title">
      <div className="page-head">
        <h1 id="pipeline-title">{t('pipeline.title')}</h1>
        <fieldset className="segmented">
          <legend className="sr-only">{t('pipeline.owner')}</legend>
          {(['mine', 'all'] as const).map((v) => (
            <label key={v} className={(v === 'mine') === mine ? 'on' : ''}>
              <input type="radio" name="owner" value={v} checked={(v === 'mine') === mine} onChange={() => setOwner(v)} />
              {t(`pipeline.${v}`)}
            </label>
          ))}
        </fieldset>
      </div>
      <p id="pipeline-help" className="hint">{t('pipeline.instructions')}</p>
      <div aria-live="polite" aria-atomic="true">
        {message?.kind === 'ok' && <p className="status">{message.text}</p>}
      </div>
      <div aria-live="assertive" aria-atomic="true">
        {message?.kind === 'error' && <p className="form-error" role="alert">{message.text}</p>}
      </div>
      {(cards.isError || totals.isError) && <p className="form-error" role="alert">{t('errors.load')}</p>}
      {cards.isPending && <p className="loading" role="status">{t('common.loading')}</p>}
      {cards.data?.['@odata.nextLink'] && <p className="hint">{t('pipeline.truncated', { shown: rows.length, count: total })}</p>}
      <DndContext
        sensors={sensors}
        collisionDetection={rectIntersection}
        onDragStart={onDragStart}
        onDragEnd={onDragEnd}
        onDragCancel={() => {
          keyTarget.current = null;
          setActiveId(null);
        }}
        accessibility={{ announcements, screenReaderInstructions: { draggable: t('pipeline.instructions') } }}
      >
        <div className="board" role="list" aria-label={t('pipeline.title')}>
          {columns.map((c) => (
            <StageColumn key={c.id} column={c} cards={byStage.get(c.id) ?? []} total={totals.data?.get(c.id)} lang={lang} t={t} activeId={activeId} />
          ))}
        </div>
        <DragOverlay>{activeCard ? <CardBody card={activeCard} lang={lang} t={t} overlay /> : null}</DragOverlay>
      </DndContext>
    </section>
  );
}

interface ColumnProps {
  column: Column;
  cards: EntityRecord[];
  total: StageTotal | undefined;
  lang: string;
  t: TFunction;
  activeId: string | null;
}

function StageColumn({ column, cards, total, lang, t, activeId }: ColumnProps) {
  const { setNodeRef, isOver } = useDroppable({ id: column.id });
  const headingId = `stage-${column.id}`;
  const n = total?.n ?? 0;
  const sums = total?.sums.length ? total.sums.map((s) => formatMoney(s.total, s.currency, lang)).join(' + ') : formatMoney(0, 'USD', lang);
  return (
    <section role="listitem" className={`stage${isOver ? ' over' : ''}`} aria-labelledby={headingId} data-stage={column.id}>
      <header className="stage-head">
        <h2 id={headingId}>{column.title}</h2>
        <p className="stage-totals" data-testid={`totals-${column.id}`}>
          <span>{t('pipeline.count', { count: n })}</span>
          <span className="stage-sum">{sums}</span>
        </p>
      </header>
      <ul ref={setNodeRef} className="stage-cards" aria-labelledby={headingId}>
        {cards.map((c) => (
          <DraggableCard key={String(c.id)} card={c} lang={lang} t={t} dragging={activeId === c.id} />
        ))}
        {cards.length === 0 && <li className="stage-empty muted">{t('pipeline.empty')}</li>}
      </ul>
    </section>
  );
}

function DraggableCard({ card, lang, t, dragging }: { card: EntityRecord; lang: string; t: TFunction; dragging: boolean }) {
  const id = String(card.id);
  const { attributes, listeners, setNodeRef, setActivatorNodeRef } = useDraggable({ id });
  // The mouse and touch start a drag anywhere on the card; the keyboard from the move button only
  // (so Enter on the card's link still opens the record).
  const { onKeyDown, ...pointer } = (listeners ?? {}) as Record<string, (e: unknown) => void>;
  return (
    <li ref={setNodeRef} className={`card-item${dragging ? ' dragging' : ''}`} {...pointer}>
      <CardBody card={card} lang={lang} t={t}>
        <button
          ref={setActivatorNodeRef}
          type="button"
          className="drag-handle"
          {...attributes}
          onKeyDown={onKeyDown}
          aria-label={t('pipeline.move', { name: String(card.name ?? '') })}
          aria-describedby="pipeline-help"
        >
          <span aria-hidden="true">⠿</span>
        </button>
      </CardBody>
    </li>
  );
}

function CardBody({ card, lang, t, overlay, children }: { card: EntityRecord; lang: string; t: TFunction; overlay?: boolean; children?: React.ReactNode }) {
  const account = card.account as EntityRecord | null | undefined;
  const amount = card.amount === null || card.amount === undefined ? '' : formatMoney(card.amount, card.amount_currency, lang);
  const name = String(card.name ?? '') || t('list.untitled');
  return (
    <article className={`opp-card${overlay ? ' overlay' : ''}`} aria-label={overlay ? undefined : name}>
      <div className="opp-top">
        {overlay ? <strong>{name}</strong> : <Link to={`/${SET}/${encodeURIComponent(String(card.id))}`} draggable={false}>{name}</Link>}
        {children}
      </div>
      <p className="opp-account">{account?.name ? String(account.name) : <span className="muted">{t('pipeline.noAccount')}</span>}</p>
      <p className="opp-meta">
        <span className="opp-amount">{amount || <span className="muted">{t('pipeline.noAmount')}</span>}</span>
        {typeof card.close_date === 'string' && card.close_date && <span>{t('pipeline.closes', { when: formatDate(card.close_date, lang) })}</span>}
      </p>
    </article>
  );
}
