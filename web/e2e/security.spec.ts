// Security administration and record sharing: as the administrator, a role created with account
// read at business-unit depth (the grid's PUT) and a user added to and removed from its holders, then an account shared with a user until a date
// (listed with its expiry) and the share revoked. axe on the role page and the sharing panel.
import { expect, test } from '@playwright/test';
import { apiClient, expectAccessible, signIn, unique } from './support';

test('a role with account read at business-unit depth; an account shared with an expiry, then revoked', async ({ page, request }) => {
  const api = await apiClient(request);
  const userName = unique('Share Target');
  const stamp = Date.now().toString(36);
  await api.create('users', { full_name: userName, email: `share-${stamp}@e2e.meridian.local` });
  const account = await api.create('accounts', { name: unique('Shared Account') });
  const roleName = unique('Sales rep');

  await signIn(page);
  const nav = page.getByRole('navigation', { name: 'Entities' });
  await nav.getByRole('link', { name: 'Security roles' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Security roles' })).toBeVisible();
  await page.getByRole('button', { name: 'New role' }).click();
  await page.getByLabel('Name', { exact: true }).fill(roleName);
  await page.getByRole('button', { name: 'Create role' }).click();
  await expect(page.getByRole('heading', { level: 1, name: `Role: ${roleName}` })).toBeVisible();
  const cell = page.getByLabel('Read on Account', { exact: true });
  await cell.selectOption({ label: 'Business unit' });
  await page.getByRole('button', { name: 'Save privileges' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Privileges saved.' })).toBeVisible();
  const holders = page.getByRole('region', { name: 'Holders' });
  await holders.getByRole('combobox', { name: 'Search users' }).fill(userName);
  await holders.getByRole('option', { name: userName }).click();
  await holders.getByRole('button', { name: 'Add', exact: true }).click();
  await expect(holders.getByRole('listitem').filter({ hasText: userName })).toBeVisible();
  await expectAccessible(page, 'security: role');
  await holders.getByRole('button', { name: `Remove ${userName}` }).click();
  await expect(holders.getByText('Nobody holds this role yet.')).toBeVisible();
  await page.reload();
  await expect(page.getByLabel('Read on Account', { exact: true })).toHaveValue('business_unit');

  await page.goto(`/accounts/${account.id}`);
  const panel = page.getByRole('region', { name: 'Sharing and owner' });
  await expect(panel.getByText('This record is not shared.')).toBeVisible();
  const form = panel.getByRole('form', { name: 'Share this record' });
  await form.getByRole('combobox', { name: 'Search users' }).fill(userName);
  await form.getByRole('option', { name: userName }).click();
  await form.getByRole('checkbox', { name: 'Write' }).check();
  await form.getByLabel('Expires (optional)').fill('2030-01-15T10:30');
  await form.getByRole('button', { name: 'Share' }).click();
  const row = panel.getByRole('row', { name: new RegExp(userName) });
  await expect(row).toContainText('Read, Write');
  await expect(row).toContainText('2030');
  await expectAccessible(page, 'record: sharing');

  await row.getByRole('button', { name: /Revoke/ }).click();
  await expect(panel.getByText('Share revoked.')).toBeVisible();
  await expect(panel.getByText('This record is not shared.')).toBeVisible();
});
