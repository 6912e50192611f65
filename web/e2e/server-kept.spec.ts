// Fields the server keeps and closed records on the record page: a case's SLA status and due time
// show read-only (not editors) while its title is editable; once resolved the whole form is
// read-only, without Save, until it is reopened.
import { expect, test } from '@playwright/test';
import { apiClient, expectAccessible, signIn, unique } from './support';

test('a case shows its SLA fields read-only, and its whole form once resolved', async ({ page, request }) => {
  const api = await apiClient(request);
  const title = unique('Conveyor sensor offline');
  const cs = await api.create('cases', { title, priority: 'urgent' });
  await signIn(page);
  await page.goto(`/cases/${cs.id}`);
  await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible();

  const sla = page.getByRole('textbox', { name: 'SLA status' });
  await expect(sla).toHaveAttribute('readonly', '');
  await expect(sla).toHaveValue('On track');
  await expect(page.getByRole('textbox', { name: 'Resolve by' })).toHaveAttribute('readonly', '');
  await expect(page.getByRole('combobox', { name: 'SLA status' })).toHaveCount(0);
  const titleBox = page.getByRole('textbox', { name: 'Case title' });
  await expect(titleBox).not.toHaveAttribute('readonly', '');
  await expect(page.getByRole('button', { name: 'Save' })).toBeVisible();
  await expectAccessible(page, 'case with server-kept fields');

  await api.post(`cases(${cs.id})/resolve`, { resolution: 'Replaced the sensor' });
  await page.reload();
  await expect(titleBox).toHaveAttribute('readonly', '');
  await expect(page.getByRole('textbox', { name: 'Status', exact: true })).toHaveValue('Resolved');
  await expect(page.getByRole('button', { name: 'Save' })).toHaveCount(0);
  await expect(page.getByRole('status').filter({ hasText: 'Closed: reopen it to change it.' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Reopen' })).toBeVisible();

  await api.post(`cases(${cs.id})/reopen`, {});
  await page.reload();
  await expect(titleBox).not.toHaveAttribute('readonly', '');
  await titleBox.fill(`${title} (line 2)`);
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved' })).toBeVisible();
});
