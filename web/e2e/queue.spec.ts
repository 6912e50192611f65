// The case queue: open cases nearest deadline first with their SLA state and time left; a
// case waiting for the customer shows paused; escalated only; in 中文; axe.
import { expect, test } from '@playwright/test';
import { apiClient, expectAccessible, signIn, unique } from './support';

test('the case queue with SLA timers, nearest deadline first; axe; 中文', async ({ page, request }) => {
  const api = await apiClient(request);
  const urgent = unique('Queue urgent outage');
  const low = unique('Queue low question');
  const waiting = unique('Queue waiting reply');
  const old = unique('Queue breached');
  await api.create('cases', { title: low, priority: 'low' });
  await api.create('cases', { title: urgent, priority: 'urgent' });
  await api.create('cases', { title: waiting, priority: 'high', status: 'waiting' });
  // Opened two days ago at normal priority (8 h to respond): its timers are past; the breach
  // job escalates it once the server's queue works it.
  const past = new Date(Date.now() - 2 * 24 * 3600 * 1000).toISOString();
  await api.create('cases', { title: old, priority: 'normal', opened_at: past });

  await signIn(page);
  await page.getByRole('navigation', { name: 'Entities' }).getByRole('link', { name: 'Case queue' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Case queue' })).toBeVisible();
  const row = (title: string) => page.getByRole('row').filter({ has: page.getByRole('link', { name: title }) });
  await expect(row(urgent)).toContainText('Urgent');
  await expect(row(urgent)).toContainText(/First response: (0 h 5\d|1 h 0) min left/);
  await expect(row(urgent).getByText('On track')).toBeVisible();
  await expect(row(waiting)).toContainText('Paused (waiting for the customer)');
  await expect(row(old)).toContainText(/First response: overdue by 1 d \d+ h/);
  // Nearest resolution deadline first: urgent (4 h), the old one (72 h from two days ago), low (120 h).
  const titles = await page.getByRole('row').getByRole('link').allTextContents();
  expect(titles.indexOf(urgent)).toBeGreaterThanOrEqual(0);
  expect(titles.indexOf(urgent)).toBeLessThan(titles.indexOf(old));
  expect(titles.indexOf(old)).toBeLessThan(titles.indexOf(low));
  await expectAccessible(page, 'case queue');

  // The breach job escalates the old case (the queue refreshes every minute; reload to see it).
  await expect(async () => {
    await page.reload();
    await expect(row(old).getByText('Escalated', { exact: true })).toBeVisible({ timeout: 2000 });
  }).toPass({ timeout: 30_000 });
  await expect(row(old).getByText('Breached', { exact: true })).toBeVisible();
  await page.getByRole('checkbox', { name: 'Only escalated' }).check();
  await expect(row(old)).toBeVisible();
  await expect(row(urgent)).toHaveCount(0);

  await page.getByRole('button', { name: '中文' }).click();
  await expect(page.getByRole('heading', { level: 1, name: '服务案例队列' })).toBeVisible();
  await expect(row(old)).toContainText('已违约');
  await page.getByRole('button', { name: 'EN' }).click();
});
