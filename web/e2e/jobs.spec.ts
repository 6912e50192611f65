// Administration → Background jobs: a new urgent case's SLA timers are listed as scheduled jobs
// with the figures; one is cancelled, found under Cancelled, and retried. axe on the page.
import { expect, test } from '@playwright/test';
import { apiClient, expectAccessible, signIn, unique } from './support';

test('an administrator sees the SLA timer jobs of a new case, cancels one and retries it', async ({ page, request }) => {
  const api = await apiClient(request);
  await api.create('cases', { title: unique('Jobs page case'), priority: 'urgent' });

  await signIn(page);
  await page.getByRole('navigation', { name: 'Entities' }).getByRole('link', { name: 'Background jobs' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Background jobs' })).toBeVisible();
  const figures = page.getByLabel('Jobs per state');
  await expect(figures).toContainText('Scheduled');
  await page.getByLabel('Show').selectOption('scheduled');
  const row = page.getByRole('row').filter({ hasText: 'sla_timer' }).first();
  await expect(row).toContainText('Scheduled');
  await expectAccessible(page, 'admin: background jobs');
  const id = (await row.getByRole('rowheader').textContent())?.trim() ?? '';
  expect(id).toMatch(/^\d+$/);

  await row.getByRole('button', { name: `Cancel job ${id}` }).click();
  await expect(page.getByRole('status').filter({ hasText: `Job ${id} is now Cancelled.` })).toBeVisible();
  await page.getByLabel('Show').selectOption('cancelled');
  const cancelled = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: id, exact: true }) });
  await expect(cancelled).toContainText('Cancelled');
  await cancelled.getByRole('button', { name: `Retry job ${id}` }).click();
  await expect(page.getByRole('status').filter({ hasText: `Job ${id} is now Waiting to run.` })).toBeVisible();
  await expect(page.getByRole('rowheader', { name: id, exact: true })).toHaveCount(0); // no longer cancelled
});
