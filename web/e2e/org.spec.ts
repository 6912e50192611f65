// Administration of business units, users and teams, as the administrator: a unit created under
// the root and renamed, a user moved into it, a team created in it and the user added to the
// team's members (then removed). axe on the three pages and the team's page.
import { expect, test } from '@playwright/test';
import { apiClient, expectAccessible, signIn, unique } from './support';

test('a business unit under the root, a user moved into it, a team in it with the user as a member', async ({ page, request }) => {
  const api = await apiClient(request);
  const userName = unique('Team Member');
  const stamp = Date.now().toString(36);
  await api.create('users', { full_name: userName, email: `member-${stamp}@e2e.meridian.local` });
  const unitName = unique('Unit');
  const renamed = `${unitName} North`;
  const teamName = unique('Team');

  await signIn(page);
  const nav = page.getByRole('navigation', { name: 'Entities' });
  // The entity lists are in the navigation under the same names: take the administration links.
  await nav.locator('a[href="/admin/units"]').click();
  await expect(page.getByRole('heading', { level: 1, name: 'Business units' })).toBeVisible();
  const tree = page.getByRole('navigation', { name: 'Business unit tree' });
  // The root is the first unit of the tree.
  await tree.getByRole('button', { name: /^New unit under / }).first().click();
  const form = page.getByRole('form', { name: 'New unit' });
  await form.getByLabel('Name', { exact: true }).fill(unitName);
  await form.getByRole('button', { name: 'Create unit' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Unit created.' })).toBeVisible();
  // Nested under the root: a list item inside the root's list item.
  await expect(tree.getByRole('listitem').getByRole('listitem').filter({ hasText: unitName })).toBeVisible();
  await tree.getByRole('button', { name: `Rename ${unitName}` }).click();
  await tree.getByLabel('Name', { exact: true }).fill(renamed);
  await tree.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Renamed.' })).toBeVisible();
  await expect(tree.getByText(renamed, { exact: true })).toBeVisible();
  await expectAccessible(page, 'admin: business units');

  await nav.locator('a[href="/admin/users"]').click();
  await expect(page.getByRole('heading', { level: 1, name: 'Users' })).toBeVisible();
  const row = page.getByRole('row', { name: new RegExp(userName) });
  await expect(row).toContainText('No roles');
  await row.getByLabel(`Business unit of ${userName}`).selectOption({ label: `\u00a0\u00a0${renamed}` });
  await expect(page.getByRole('status').filter({ hasText: `${userName} moved to ${renamed}.` })).toBeVisible();
  await expectAccessible(page, 'admin: users');

  await nav.locator('a[href="/admin/teams"]').click();
  await expect(page.getByRole('heading', { level: 1, name: 'Teams' })).toBeVisible();
  await page.getByRole('button', { name: 'New team' }).click();
  const teamForm = page.getByRole('form', { name: 'New team' });
  await teamForm.getByLabel('Name', { exact: true }).fill(teamName);
  await teamForm.getByLabel('Type').selectOption('access');
  await teamForm.getByLabel('Business unit').selectOption({ label: `\u00a0\u00a0${renamed}` });
  await teamForm.getByRole('button', { name: 'Create team' }).click();
  await expect(page.getByRole('heading', { level: 1, name: `Team: ${teamName}` })).toBeVisible();
  const members = page.getByRole('region', { name: 'Members' });
  await expect(members.getByText('This team has no members yet.')).toBeVisible();
  await members.getByRole('combobox', { name: 'Add a member' }).fill(userName);
  await members.getByRole('option', { name: userName }).click();
  await members.getByRole('button', { name: 'Add', exact: true }).click();
  await expect(members.getByRole('listitem').filter({ hasText: userName })).toBeVisible();
  await expectAccessible(page, 'admin: team');

  await page.reload();
  await expect(members.getByRole('listitem').filter({ hasText: userName })).toBeVisible();
  await page.locator('main .crumbs').getByRole('link', { name: 'Teams' }).click();
  const teamRow = page.getByRole('row', { name: new RegExp(teamName) });
  await expect(teamRow).toContainText('Access team');
  await expect(teamRow).toContainText(renamed);
  await expectAccessible(page, 'admin: teams');

  await teamRow.getByRole('link', { name: teamName }).click();
  await members.getByRole('button', { name: `Remove ${userName}` }).click();
  await expect(members.getByText('This team has no members yet.')).toBeVisible();
});
