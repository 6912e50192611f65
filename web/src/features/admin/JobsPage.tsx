// Administration → Background jobs: the tenant's figures (jobs per state, the lag), the jobs
// newest first with their last error — the dead letters are the discarded ones — and retrying or
// cancelling one.
import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import type { Job, JobStats } from '../../api/types';
import { errorMessage } from '../records/errors';
import { formatDateTime } from '../records/format';
import { AdminOnly } from './AdminOnly';

const STATES = ['pending', 'scheduled', 'available', 'running', 'retryable', 'completed', 'cancelled', 'discarded'] as const;
const RETRYABLE = new Set(['retryable', 'discarded', 'cancelled', 'completed']);
const CANCELLABLE = new Set(['pending', 'scheduled', 'available', 'retryable']);
const JOBS_KEY = ['admin', 'jobs'] as const;

export default function JobsPage() {
  return (
    <AdminOnly>
      <Jobs />
    </AdminOnly>
  );
}

function Jobs() {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const [state, setState] = useState('discarded');
  const stats = useQuery({ queryKey: [...JOBS_KEY, 'stats'], queryFn: async () => (await api<JobStats>('jobs/stats')).data });
  const list = useQuery({
    queryKey: [...JOBS_KEY, 'list', state],
    queryFn: async () => (await api<{ value: Job[] }>(`jobs?top=100${state ? `&state=${state}` : ''}`)).data.value,
  });
  const act = useMutation({
    mutationFn: async ({ job, action }: { job: Job; action: 'retry' | 'cancel' }) =>
      (await api<Job>(`jobs/${job.id}/${action}`, { method: 'POST' })).data,
    onSuccess: () => qc.invalidateQueries({ queryKey: JOBS_KEY }),
  });
  const done = act.data;

  return (
    <section className="designer" aria-labelledby="jobs-title">
      <p className="crumbs muted">{t('admin.title')}</p>
      <div className="page-head">
        <h1 id="jobs-title">{t('jobs.title')}</h1>
      </div>
      <p className="muted">{t('jobs.hint')}</p>
      {stats.data && (
        <dl className="job-stats" aria-label={t('jobs.figures')}>
          {STATES.map((s) => (
            <div key={s}>
              <dt>{t(`jobs.state.${s}`)}</dt>
              <dd>{(stats.data.states[s] ?? 0).toLocaleString(i18n.language)}</dd>
            </div>
          ))}
          <div>
            <dt>{t('jobs.lag')}</dt>
            <dd>{t('jobs.seconds', { count: Math.round(stats.data.lag_seconds) })}</dd>
          </div>
        </dl>
      )}
      <label className="inline-field">
        {t('jobs.show')}{' '}
        <select value={state} onChange={(e) => setState(e.target.value)}>
          <option value="">{t('jobs.all')}</option>
          {STATES.map((s) => <option key={s} value={s}>{t(`jobs.state.${s}`)}</option>)}
        </select>
      </label>
      {act.isError && <p className="form-error" role="alert">{errorMessage(act.error, t)}</p>}
      {done && <p role="status">{t('jobs.done', { id: done.id, state: t(`jobs.state.${done.state}`) })}</p>}
      {list.isPending && <p className="loading" role="status">{t('common.loading')}</p>}
      {list.isError && <p className="form-error" role="alert">{errorMessage(list.error, t)}</p>}
      {list.data && list.data.length === 0 && <p className="muted">{t('jobs.none')}</p>}
      {list.data && list.data.length > 0 && (
        <div className="table-scroll small">
          <table>
            <caption className="sr-only">{t('jobs.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('jobs.id')}</th>
                <th scope="col">{t('jobs.kind')}</th>
                <th scope="col">{t('jobs.stateCol')}</th>
                <th scope="col">{t('jobs.attempts')}</th>
                <th scope="col">{t('jobs.scheduled')}</th>
                <th scope="col">{t('jobs.lastError')}</th>
                <th scope="col"><span className="sr-only">{t('jobs.actions')}</span></th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((j) => (
                <tr key={j.id}>
                  <th scope="row">{j.id}</th>
                  <td><code>{j.kind}</code></td>
                  <td>{t(`jobs.state.${j.state}`)}</td>
                  <td>{j.attempt}/{j.max_attempts}</td>
                  <td>{formatDateTime(j.scheduled_at, i18n.language)}</td>
                  <td className="job-error">{j.last_error ?? ''}</td>
                  <td>
                    {RETRYABLE.has(j.state) && (
                      <button type="button" className="secondary" disabled={act.isPending}
                        onClick={() => act.mutate({ job: j, action: 'retry' })}
                        aria-label={t('jobs.retryJob', { id: j.id })}>{t('jobs.retry')}</button>
                    )}
                    {CANCELLABLE.has(j.state) && (
                      <button type="button" className="secondary" disabled={act.isPending}
                        onClick={() => act.mutate({ job: j, action: 'cancel' })}
                        aria-label={t('jobs.cancelJob', { id: j.id })}>{t('jobs.cancel')}</button>
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
