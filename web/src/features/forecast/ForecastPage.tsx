// The sales forecast: per owner, the open opportunities expected to close in a period by
// forecast category (pipeline, best case, committed) and what was won in it — two aggregations
// computed by the server; nothing is summed from loaded rows.
import { Suspense, lazy, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { formatDate, formatMoney } from '../records/format';
import { PrincipalName } from '../sharing/PrincipalPicker';
import { COLUMNS, PERIODS, mainCurrency, openApply, perTeam, periodOf, pivot, wonApply } from './forecast';
import { listTeams, teamMembers } from '../admin/org';
import type { EntityRecord } from '../../api/types';

// ECharts only downloads with the chart.
const ForecastChart = lazy(() => import('./ForecastChart'));
import type { AggregateRow, OwnerRow, PeriodKind, Sums, TeamMembers } from './forecast';

function Money({ sums, lang }: { sums: Sums; lang: string }) {
  const parts = Object.entries(sums).sort(([a], [b]) => a.localeCompare(b));
  if (parts.length === 0) return <span className="muted">—</span>;
  return <>{parts.map(([cur, v]) => <span key={cur} className="amount">{formatMoney(v, cur, lang)}</span>)}</>;
}

export default function ForecastPage() {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const [kind, setKind] = useState<PeriodKind>('this_quarter');
  const period = periodOf(kind);
  const q = useQuery({
    queryKey: ['forecast', kind, period.from],
    queryFn: async ({ signal }) => {
      const get = async (apply: string) =>
        (await api<{ value: AggregateRow[] }>(`opportunities?$apply=${encodeURIComponent(apply)}`, { signal })).data.value;
      const [open, won] = await Promise.all([get(openApply(period)), get(wonApply(period))]);
      return pivot(open, won);
    },
  });
  const [by, setBy] = useState<'owner' | 'team'>('owner');
  // Per team: the teams and their members (a few requests), then the owners' sums added up.
  const teams = useQuery({
    queryKey: ['forecast-teams'],
    enabled: by === 'team',
    queryFn: async (): Promise<{ list: TeamMembers[]; names: Map<string, string> }> => {
      const all = await listTeams();
      const members = await Promise.all(all.map((tm) => teamMembers(tm.id)));
      return {
        list: all.map((tm, i) => ({ id: tm.id, members: (members[i] ?? []).map((u) => u.id) })),
        names: new Map(all.map((tm) => [tm.id, tm.name])),
      };
    },
  });
  const rows: OwnerRow[] | undefined = !q.data ? undefined : by === 'owner' ? q.data.rows : teams.data ? perTeam(q.data.rows, teams.data.list) : undefined;
  const owners = (q.data?.rows ?? []).map((r) => r.owner).filter((o) => o !== '');
  const names = useQuery({
    queryKey: ['forecast-owners', owners.join(',')],
    enabled: owners.length > 0,
    queryFn: async ({ signal }) => {
      const r = await api<{ value: EntityRecord[] }>(`users?$select=full_name&$filter=${encodeURIComponent(`id in (${owners.join(',')})`)}`, { signal });
      return new Map(r.data.value.map((u) => [String(u.id), String(u.full_name ?? u.id)]));
    },
  });
  const currency = q.data ? mainCurrency(q.data.total) : undefined;
  const rowName = (r: OwnerRow): string => {
    if (by === 'team') return r.owner ? teams.data?.names.get(r.owner) ?? '…' : t('forecast.noTeam');
    return r.owner ? names.data?.get(r.owner) ?? '…' : t('forecast.noOwner');
  };
  const last = new Date(`${period.to}T00:00:00Z`);
  last.setUTCDate(last.getUTCDate() - 1);

  return (
    <section aria-labelledby="forecast-title">
      <header className="page-head">
        <h1 id="forecast-title">{t('forecast.title')}</h1>
        <label className="inline">
          {t('forecast.period')}
          <select value={kind} onChange={(e) => setKind(e.target.value as PeriodKind)}>
            {PERIODS.map((p) => <option key={p} value={p}>{t(`forecast.periods.${p}`)}</option>)}
          </select>
        </label>
        <label className="inline">
          {t('forecast.by')}
          <select value={by} onChange={(e) => setBy(e.target.value as 'owner' | 'team')}>
            <option value="owner">{t('forecast.byOwner')}</option>
            <option value="team">{t('forecast.byTeam')}</option>
          </select>
        </label>
      </header>
      <p className="muted">{t('forecast.range', { from: formatDate(period.from, lang), to: formatDate(last.toISOString().slice(0, 10), lang) })}</p>
      {(q.isPending || (by === 'team' && teams.isPending)) && <p className="loading" role="status">{t('common.loading')}</p>}
      {(q.isError || (by === 'team' && teams.isError)) && <p className="form-error" role="alert">{t('errors.load')}</p>}
      {q.data && rows && (
        rows.length === 0 ? <p>{t('forecast.empty')}</p> : (
          <>
          {currency && (
            <Suspense fallback={<div className="forecast-chart" />}>
              <ForecastChart rows={rows} currency={currency} names={rows.map(rowName)} />
            </Suspense>
          )}
          <div className="table-scroll">
            <table className="forecast">
              <caption className="sr-only">{t('forecast.caption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{by === 'team' ? t('forecast.team') : t('forecast.owner')}</th>
                  {COLUMNS.map((c) => <th key={c} scope="col">{t(`forecast.columns.${c}`)}</th>)}
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={r.owner}>
                    <th scope="row">{by === 'team' ? rowName(r) : r.owner ? <PrincipalName id={r.owner} kind="user" /> : t('forecast.noOwner')}</th>
                    {COLUMNS.map((c) => <td key={c} data-column={c}><Money sums={r.cells[c]} lang={lang} /></td>)}
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr>
                  <th scope="row">{t('forecast.total')}</th>
                  {COLUMNS.map((c) => <td key={c} data-column={c}><Money sums={q.data.total.cells[c]} lang={lang} /></td>)}
                </tr>
              </tfoot>
            </table>
          </div>
          </>
        )
      )}
      <p className="muted">{t('forecast.help')}</p>
    </section>
  );
}
