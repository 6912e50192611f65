// The case queue: open cases with the nearest resolution deadline first, each with its SLA
// state and the time its next timer leaves (or how long ago it breached). Refreshes every minute.
import { useEffect, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../../api/client';
import { useEntity } from '../../api/metadata';
import { listPath } from '../../api/odata';
import type { RecordPage } from '../../api/types';
import { useMe } from '../auth/session';
import { optionLabel } from '../records/format';
import { PrincipalName } from '../sharing/PrincipalPicker';
import { QUEUE_ORDER, durationParts, minutesLeft, nextTimer, queueFilter } from './sla';
import type { CaseRow } from './sla';

const TOP = 200;

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
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const h = setInterval(() => setNow(new Date()), 30_000);
    return () => clearInterval(h);
  }, []);
  const filter = queueFilter({ ownerId: mine ? me.data?.user_id : undefined, escalated });
  const path = listPath('cases', {
    select: ['title', 'case_number', 'priority', 'status', 'sla_status', 'escalated', 'first_response_by', 'first_responded_at', 'resolve_by', 'owner_id'],
    filter,
    orderby: QUEUE_ORDER,
    top: TOP,
  });
  const q = useQuery({
    queryKey: ['queue', path],
    queryFn: async ({ signal }) => (await api<RecordPage>(path, { signal })).data.value,
    refetchInterval: 60_000,
    enabled: !mine || !!me.data,
  });
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
      </div>
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
                  <td>{typeof c.owner_id === 'string' ? <PrincipalName id={c.owner_id} /> : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
