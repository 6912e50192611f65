// The case queue: open cases with the nearest resolution deadline first, each with its SLA
// state and the time its next timer leaves (or how long ago it breached). Refreshes every minute.
// Filters by queue ("my queues": the queues the user is a member of); a queued case can be
// picked (assigned to oneself) from the list.
import { useEffect, useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../../api/client';
import { useEntity } from '../../api/metadata';
import { listPath, recordPath } from '../../api/odata';
import type { RecordPage } from '../../api/types';
import { useMe } from '../auth/session';
import { errorMessage } from '../records/errors';
import { optionLabel } from '../records/format';
import { PrincipalName } from '../sharing/PrincipalPicker';
import { QUEUE_ORDER, durationParts, minutesLeft, nextTimer, queueFilter } from './sla';
import type { CaseRow } from './sla';

const TOP = 200;

interface Queue {
  id: string;
  name?: string;
}

/** The tenant's queues the user may read, and the ids of those the user is a member of. */
function useQueues(userId: string | undefined) {
  const all = useQuery({
    queryKey: ['queues', 'all'],
    queryFn: async ({ signal }) => (await api<{ value: Queue[] }>(listPath('queues', { select: ['name'], orderby: 'name', top: 500 }), { signal })).data.value,
    retry: false,
  });
  const mine = useQuery({
    queryKey: ['queues', 'mine', userId],
    queryFn: async ({ signal }) =>
      (await api<{ value: Queue[] }>(listPath(`${recordPath('users', userId ?? '')}/queues`, { select: ['name'], top: 500 }), { signal })).data.value.map((q) => q.id),
    enabled: !!userId,
    retry: false,
  });
  return { all: all.data ?? [], mine: mine.data };
}

function Left({ row, now }: { row: CaseRow; now: Date }) {
  const { t } = useTranslation();
  if (row.status === 'waiting') return <span className="sla sla-paused">{t('queue.paused')}</span>;
  const next = nextTimer(row);
  if (!next) return <span className="muted">—</span>;
  const min = minutesLeft(next.due, now);
  const p = durationParts(min);
  const span = p.d > 0 ? t('queue.dh', { d: p.d, h: p.h }) : t('queue.hm', { h: p.h, m: p.m });
  const which = t(`queue.timers.${next.timer}`);
  return (
    <span className={min < 0 ? 'sla-over' : undefined}>
      {which}: {min < 0 ? t('queue.overdue', { span }) : t('queue.left', { span })}
    </span>
  );
}

export default function CaseQueue() {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const me = useMe();
  const { entity } = useEntity('cases');
  const [mine, setMine] = useState(false);
  const [escalated, setEscalated] = useState(false);
  // '' every case, 'mine' the cases in my queues, else one queue's id.
  const [queue, setQueue] = useState('');
  const queues = useQueues(me.data?.user_id);
  const qc = useQueryClient();
  const [pickError, setPickError] = useState<unknown>(null);
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const h = setInterval(() => setNow(new Date()), 30_000);
    return () => clearInterval(h);
  }, []);
  const queueIds = queue === 'mine' ? (queues.mine ?? []) : queue ? [queue] : undefined;
  const filter = queueFilter({ ownerId: mine ? me.data?.user_id : undefined, escalated, queueIds });
  const path = listPath('cases', {
    select: ['title', 'case_number', 'priority', 'status', 'sla_status', 'escalated', 'first_response_by', 'first_responded_at', 'resolve_by', 'owner_id', 'queue_id'],
    filter,
    orderby: QUEUE_ORDER,
    top: TOP,
  });
  const q = useQuery({
    queryKey: ['queue', path],
    queryFn: async ({ signal }) => (await api<RecordPage>(path, { signal })).data.value,
    refetchInterval: 60_000,
    enabled: (!mine || !!me.data) && (queue !== 'mine' || queues.mine !== undefined),
  });
  const queueName = (id: unknown) => queues.all.find((x) => x.id === id)?.name ?? '';
  const pick = async (id: string) => {
    setPickError(null);
    try {
      await api(`${recordPath('cases', id)}/pick`, { method: 'POST', body: {} });
      await Promise.all(['queue', 'list', 'record'].map((k) => qc.invalidateQueries({ queryKey: [k] })));
    } catch (e) {
      setPickError(e);
    }
  };
  const attr = (n: string) => entity?.attributes?.find((a) => a.name === n);
  const label = (n: string, v: unknown) => {
    const a = attr(n);
    return a && typeof v === 'string' ? optionLabel(a, v, lang) : '';
  };

  return (
    <section aria-labelledby="queue-title">
      <header className="page-head">
        <h1 id="queue-title">{t('queue.title')}</h1>
      </header>
      <div className="toolbar" role="group" aria-label={t('queue.filters')}>
        <label className="check"><input type="checkbox" checked={mine} onChange={(e) => setMine(e.target.checked)} />{t('queue.mine')}</label>
        <label className="check"><input type="checkbox" checked={escalated} onChange={(e) => setEscalated(e.target.checked)} />{t('queue.escalated')}</label>
        <label>
          {t('queue.queue')}{' '}
          <select value={queue} onChange={(e) => setQueue(e.target.value)}>
            <option value="">{t('queue.allQueues')}</option>
            <option value="mine">{t('queue.myQueues')}</option>
            {queues.all.map((x) => <option key={x.id} value={x.id}>{x.name ?? x.id}</option>)}
          </select>
        </label>
      </div>
      {pickError !== null && <p className="form-error" role="alert">{errorMessage(pickError, t)}</p>}
      {q.isPending && <p className="loading" role="status">{t('common.loading')}</p>}
      {q.isError && <p className="form-error" role="alert">{t('errors.load')}</p>}
      {q.data && q.data.length === 0 && <p>{t('queue.empty')}</p>}
      {q.data && q.data.length > 0 && (
        <div className="table-scroll">
          <table className="queue">
            <caption className="sr-only">{t('queue.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('queue.case')}</th>
                <th scope="col">{t('queue.priority')}</th>
                <th scope="col">{t('queue.status')}</th>
                <th scope="col">{t('queue.sla')}</th>
                <th scope="col">{t('queue.next')}</th>
                <th scope="col">{t('queue.queue')}</th>
                <th scope="col">{t('queue.owner')}</th>
              </tr>
            </thead>
            <tbody>
              {q.data.map((c) => (
                <tr key={String(c.id)} data-sla={String(c.sla_status ?? '')}>
                  <th scope="row">
                    <Link to={`/cases/${encodeURIComponent(String(c.id))}`}>{String(c.title ?? '') || t('list.untitled')}</Link>
                    {c.case_number ? <span className="muted"> · {String(c.case_number)}</span> : null}
                    {c.escalated === true && <span className="badge badge-alert">{t('queue.escalatedBadge')}</span>}
                  </th>
                  <td>{label('priority', c.priority)}</td>
                  <td>{label('status', c.status)}</td>
                  <td><span className={`sla sla-${String(c.sla_status ?? 'none')}`}>{label('sla_status', c.sla_status) || '—'}</span></td>
                  <td><Left row={c} now={now} /></td>
                  <td>{queueName(c.queue_id)}</td>
                  <td>
                    {typeof c.owner_id === 'string' ? <PrincipalName id={c.owner_id} /> : ''}
                    {typeof c.queue_id === 'string' && c.owner_id !== me.data?.user_id && (
                      <button type="button" className="secondary small" onClick={() => void pick(String(c.id))}
                        aria-label={t('queue.pickCase', { title: String(c.title ?? '') })}>
                        {t('queue.pick')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
