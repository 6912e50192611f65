// The forecast as a bar chart (Apache ECharts, SVG renderer; loaded only with this page): one
// group of bars per owner, one bar per column, in one currency. The table beside it holds the
// same figures for screen readers and keyboards; the chart is an image with a text summary.
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import * as echarts from 'echarts/core';
import { BarChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';
import { formatMoney } from '../records/format';
import { chartSeries } from './forecast';
import type { OwnerRow } from './forecast';

echarts.use([BarChart, GridComponent, LegendComponent, TooltipComponent, SVGRenderer]);

const COLORS = { pipeline: '#9db7e0', best_case: '#4f7fc9', committed: '#1d4f99', won: '#2e8b57' } as const;

export default function ForecastChart({ rows, currency, names }: { rows: OwnerRow[]; currency: string; names: string[] }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const ref = useRef<HTMLDivElement>(null);
  const series = chartSeries(rows, currency);
  // Redrawn only when what it shows changes (not on every render of the page).
  const key = JSON.stringify([series, names, currency, lang]);
  useEffect(() => {
    if (!ref.current) return;
    const chart = echarts.init(ref.current, undefined, { renderer: 'svg' });
    chart.setOption({
      animation: false,
      grid: { left: 8, right: 8, top: 36, bottom: 8, containLabel: true },
      legend: { top: 0 },
      tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => formatMoney(Number(v), currency, lang) },
      xAxis: { type: 'category', data: names },
      yAxis: { type: 'value', axisLabel: { formatter: (v: number) => new Intl.NumberFormat(lang, { notation: 'compact' }).format(v) } },
      series: series.map((s) => ({ type: 'bar', name: t(`forecast.columns.${s.column}`), data: s.data, itemStyle: { color: COLORS[s.column] } })),
    });
    const resize = () => chart.resize();
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      chart.dispose();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  const summary = t('forecast.chartSummary', { currency, owners: names.length });
  return <div ref={ref} className="forecast-chart" role="img" aria-label={summary} />;
}
