// The sales forecast: the server's aggregation per owner and forecast category for a period,
// won deals apart, per team, in both languages; axe.
import { expect, test } from '@playwright/test';
import { apiClient, expectAccessible, signIn, unique } from './support';

/** A date in the current quarter, far enough from its edges. */
function inThisQuarter(): string {
  const now = new Date();
  const m = Math.floor(now.getMonth() / 3) * 3 + 1; // the quarter's middle month
  return `${now.getFullYear()}-${String(m + 1).padStart(2, '0')}-15`;
}

test('the forecast of this quarter per category, won apart; in 中文; axe', async ({ page, request }) => {
  const api = await apiClient(request);
  const when = inThisQuarter();
  // Amounts in a currency no other test uses, so the totals are this test's alone.
  const base = { amount_currency: 'CHF', close_date: when };
  await api.create('opportunities', { ...base, name: unique('Fc pipeline'), stage: 'develop', amount: 1000 });
  await api.create('opportunities', { ...base, name: unique('Fc best'), stage: 'propose', amount: 2000 });
  await api.create('opportunities', { ...base, name: unique('Fc commit'), stage: 'negotiate', amount: 3000, forecast_category: 'committed' });
  await api.create('opportunities', { ...base, name: unique('Fc omitted'), stage: 'develop', amount: 9000, forecast_category: 'omitted' });
  const won = await api.create('opportunities', { ...base, name: unique('Fc won'), stage: 'negotiate', amount: 4000 });
  await api.post(`opportunities(${won.id})/close`, { status: 'won' });

  await signIn(page);
  await page.getByRole('navigation', { name: 'Entities' }).getByRole('link', { name: 'Forecast' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Sales forecast' })).toBeVisible();
  const row = page.getByRole('row', { name: /E2E Admin/ });
  await expect(row.locator('td[data-column="pipeline"]')).toContainText('CHF 1,000.00');
  await expect(row.locator('td[data-column="best_case"]')).toContainText('CHF 2,000.00');
  await expect(row.locator('td[data-column="committed"]')).toContainText('CHF 3,000.00');
  await expect(row.locator('td[data-column="won"]')).toContainText('CHF 4,000.00');
  await expect(row).not.toContainText('9,000');
  // The chart (ECharts, SVG) draws the bars of the main currency; its summary names it.
  const chart = page.getByRole('img', { name: /Bar chart of the forecast per owner in [A-Z]{3}/ });
  await expect(chart.locator('svg path').first()).toBeAttached();
  await expectAccessible(page, 'forecast');

  // Per team: the administrator's sums under a team they are in.
  const me = (await (await api.send('GET', 'auth/me')).json()) as { user_id: string };
  const team = await api.create('teams', { name: unique('Forecast team'), team_type: 'owner' });
  expect((await api.send('POST', `teams(${team.id})/members/$ref`, { '@odata.id': `users(${me.user_id})` })).status()).toBe(204);
  await page.getByRole('combobox', { name: 'Group by' }).selectOption('team');
  await expect(page.getByRole('columnheader', { name: 'Team' })).toBeVisible();
  const teamRow = page.getByRole('row', { name: new RegExp(String(team.name)) });
  await expect(teamRow.locator('td[data-column="committed"]')).toContainText('CHF 3,000.00');
  await expect(teamRow.locator('td[data-column="won"]')).toContainText('CHF 4,000.00');
  await page.getByRole('combobox', { name: 'Group by' }).selectOption('owner');

  await page.getByRole('combobox', { name: 'Period' }).selectOption('next_quarter');
  await expect(page.getByRole('row', { name: /E2E Admin/ }).or(page.getByText('No open or won opportunities in this period.')).first()).toBeVisible();
  await expect(page.locator('td[data-column="pipeline"]').filter({ hasText: 'CHF 1,000.00' })).toHaveCount(0);

  await page.getByRole('button', { name: '中文' }).click();
  await expect(page.getByRole('heading', { level: 1, name: '销售预测' })).toBeVisible();
  await page.getByRole('combobox', { name: '期间' }).selectOption('this_quarter');
  await expect(page.getByRole('columnheader', { name: '已承诺' })).toBeVisible();
  await page.getByRole('button', { name: 'EN' }).click();
});
