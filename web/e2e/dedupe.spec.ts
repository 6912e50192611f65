// Duplicates in the browser: a new account's page warns of the record it may duplicate, the
// Possible duplicates panel lists candidates, the merge dialog keeps the other record and its
// values, related records move to it, and the merge is undone.
import { expect, test } from '@playwright/test';
import { apiClient, expectAccessible, signIn, unique } from './support';

test('warns on create, merges two similar accounts with their contacts, and undoes the merge', async ({ page, request }) => {
  test.setTimeout(90_000);
  const api = await apiClient(request);
  const base = unique('Quixotic Gearworks');
  const keep = await api.create('accounts', { name: `${base} Inc.`, city: 'Shenzhen' });
  const dup = await api.create('accounts', { name: `${base.toUpperCase()}, Inc`, website: 'https://gearworks.example' });
  // The create answered the candidate.
  expect((dup['@meridian.duplicates'] as { id: string }[]).map((c) => c.id)).toEqual([keep.id]);
  const contact = await api.create('contacts', { first_name: 'Ada', last_name: unique('Merge'), account_id: dup.id });

  await signIn(page);
  // A new account with a similar name: its page warns of both.
  await page.goto('/accounts/new');
  await page.getByRole('textbox', { name: 'Account name', exact: true }).fill(`${base} Ltd`);
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('heading', { level: 1, name: `${base} Ltd` })).toBeVisible();
  const warned = page.getByRole('region', { name: /^Possible duplicates/ });
  await expect(warned.getByRole('alert')).toHaveText('This new record may duplicate 2 existing record(s), listed below.');
  await expect(warned.getByRole('link', { name: `${base} Inc.` })).toBeVisible();

  // Merge the duplicate into the account to keep, taking the duplicate's website.
  await page.goto(`/accounts/${dup.id}`);
  const panel = page.getByRole('region', { name: /^Possible duplicates/ });
  await expect(panel.getByRole('link', { name: `${base} Inc.` })).toBeVisible();
  await panel.getByRole('button', { name: `Merge ${base} Inc.` }).click();
  const dialog = page.getByRole('dialog', { name: 'Merge duplicate records' });
  await dialog.getByRole('radio', { name: `The other: ${base} Inc.` }).check();
  await expect(dialog.getByRole('radio', { name: 'https://gearworks.example' })).toBeChecked(); // blank on the survivor
  await expect(dialog.getByRole('radio', { name: 'Shenzhen' })).toBeChecked();
  await expectAccessible(page, 'merge dialog');
  await dialog.getByRole('button', { name: 'Merge records' }).click();

  await expect(page).toHaveURL(new RegExp(`/accounts/${keep.id}\\?merged=[0-9a-f-]{36}$`));
  await expect(page.getByRole('heading', { level: 1, name: `${base} Inc.` })).toBeVisible();
  await expect(page.getByRole('textbox', { name: 'Website' })).toHaveValue('https://gearworks.example');
  const related = page.getByRole('region', { name: 'Related', exact: true });
  await expect(related.getByRole('region', { name: /^Contacts/ }).getByRole('link', { name: String(contact.full_name) })).toBeVisible();

  // Undo: the duplicate is back with its contact.
  await page.getByRole('button', { name: 'Undo merge' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Merge undone.' })).toBeVisible();
  await page.goto(`/accounts/${dup.id}`);
  await expect(page.getByRole('heading', { level: 1, name: `${base.toUpperCase()}, Inc` })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Related', exact: true }).getByRole('region', { name: /^Contacts/ })
    .getByRole('link', { name: String(contact.full_name) })).toBeVisible();
});
