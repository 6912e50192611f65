// Plugins: the server loads the repository's sample plugin (e2e/server.sh sets
// MERIDIAN_PLUGINS_DIR); the client imports it after sign-in. On an account: its revenue drawn by
// the plugin's field renderer in the list and on the record page, the "Account health" panel
// summarising the account's open cases and activities through the API, and the "Log a call"
// command creating a phone call that the timeline and the panel then show. axe on the record page
// with the plugin's panel; the panel's title and content in Chinese.
import { expect, test } from '@playwright/test';
import { apiClient, expectAccessible, signIn, unique } from './support';

test('the sample plugin: revenue renderer, Account health panel and Log a call on an account', async ({ page, request }) => {
  const api = await apiClient(request);
  const name = unique('Plugin Account');
  const account = await api.create('accounts', { name, revenue: 25_000_000, revenue_currency: 'CNY', city: 'Suzhou' });
  await api.create('cases', { title: unique('Broken sensor'), account_id: account.id, status: 'new' });
  const old = await api.create('cases', { title: unique('Old question'), account_id: account.id });
  await api.post(`cases(${old.id})/resolve`, { resolution: 'Answered' }); // a plain write cannot resolve a case

  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await signIn(page);
  const listed = await page.request.get('/api/v1/plugins'); // with the page's session cookie
  expect(((await listed.json()) as { value: unknown[] }).value).toEqual(
    expect.arrayContaining([expect.objectContaining({ name: 'sample-account-health', entry: '/plugins/sample-account-health/index.js' })]),
  );

  // The list: the revenue cell is drawn by the plugin (amount, bar, size badge).
  await page.goto(`/accounts?q=${encodeURIComponent(name)}`);
  const row = page.getByRole('row', { name: new RegExp(name) });
  await expect(row).toBeVisible();
  const cell = row.locator('.sample-revenue');
  await expect(cell).toContainText('CN¥25,000,000.00');
  await expect(cell).toContainText('Large');
  await expect(cell).toHaveAttribute('data-tier', 'large');

  // The record page: the renderer under the revenue field, the panel, the command.
  await row.getByRole('link', { name }).click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  await expect(page.locator('.field-money .sample-revenue')).toContainText('Large');
  const health = page.getByRole('region', { name: 'Account health' });
  await expect(health.getByText('At risk')).toBeVisible(); // an open case and no activity
  await expect(health.getByRole('definition').first()).toHaveText('1'); // open cases (the resolved one not counted)
  await expect(health).toContainText('none');
  await expectAccessible(page, 'record: plugin panel');

  const commands = page.getByRole('button', { name: 'Commands' });
  await commands.click();
  await expect(commands).toHaveAttribute('aria-expanded', 'true');
  await page.getByRole('button', { name: 'Log a call' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Call logged' })).toBeVisible();
  const timeline = page.getByRole('region', { name: 'Activities' });
  await expect(timeline.getByText(`Call with ${name}`)).toBeVisible();
  await expect(health).toContainText(`Call with ${name}`); // the panel rendered again after the command
  await expect(health.getByRole('definition').nth(1)).toHaveText('1'); // activities in 90 days
  await expect(health.getByText('Needs attention')).toBeVisible(); // an open case, but in touch

  // Chinese: the panel's title and content follow the language at once.
  await page.getByRole('button', { name: '中文' }).click();
  const zh = page.getByRole('region', { name: '客户健康度' });
  await expect(zh.getByText('未结案例')).toBeVisible();
  await expect(page.getByRole('button', { name: '命令' })).toBeVisible();
  await expect(page.locator('.field-money .sample-revenue')).toContainText('大型');
  await page.getByRole('button', { name: 'EN' }).click();

  expect(errors, 'uncaught errors on the page').toEqual([]);
});
