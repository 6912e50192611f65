// The administrator's designer: a custom choice field added to accounts (a server error shown
// next to the field at fault first, nothing typed lost), filled on an account without reloading
// the client, still there after a reload; a custom entity created and found in the navigation,
// then deleted with its records (the API's data_loss refusal, then forced). axe on both pages.
import { expect, test } from '@playwright/test';
import { apiClient, expectAccessible, expectNoHorizontalScroll, signIn, unique } from './support';

test('a custom choice field on accounts, filled on a record and kept across a reload', async ({ page, request }) => {
  const api = await apiClient(request);
  const account = await api.create('accounts', { name: unique('Tiered Trading') });
  const field = `tier_${Date.now().toString(36)}`;
  const caption = `Loyalty tier ${field.slice(5)}`;

  await signIn(page);
  const nav = page.getByRole('navigation', { name: 'Entities' });
  await nav.getByRole('link', { name: 'Entities and fields' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Entities and fields' })).toBeVisible();
  await expect(page.getByRole('row', { name: /Account/ }).first()).toBeVisible();
  await expectAccessible(page, 'designer: entities');

  await page.getByRole('link', { name: 'Account', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Fields of Account' })).toBeVisible();
  await page.getByRole('button', { name: 'Add field' }).click();
  const form = page.getByRole('form', { name: 'New field' });
  await form.getByLabel('Type').selectOption({ label: 'Choice' });
  await form.getByRole('textbox', { name: 'Name', exact: true }).fill('name'); // taken: the server says so next to the name
  await form.getByLabel('Display name (English)').fill(caption);
  await form.getByLabel('Display name (Chinese)').fill('会员等级');
  await form.getByLabel('English label 1').fill('Gold');
  await form.getByLabel('Chinese label 1').fill('金卡');
  await form.getByLabel('English label 2').fill('Silver');
  await form.getByLabel('Chinese label 2').fill('银卡');
  await expect(form.getByLabel('Value 2')).toHaveValue('silver');
  await expectAccessible(page, 'designer: new field form');
  await form.getByRole('button', { name: 'Add field' }).click();
  const name = form.getByRole('textbox', { name: 'Name', exact: true });
  await expect(name).toHaveAttribute('aria-invalid', 'true');
  await expect(name).toBeFocused();
  await expect(form.getByText('This name is already taken.')).toBeVisible();
  await expect(form.getByLabel('English label 2')).toHaveValue('Silver'); // nothing typed lost
  await name.fill(field);
  await form.getByRole('button', { name: 'Add field' }).click();
  await expect(page.getByRole('status').filter({ hasText: `The field ${field} was added.` })).toBeVisible();
  await expect(page.getByRole('row', { name: new RegExp(caption) })).toContainText('Choice');

  // No reload: the shell's metadata is fresh, so the record form has the new field at once.
  await nav.getByRole('link', { name: 'Accounts' }).click();
  await page.getByRole('searchbox').fill(account.name as string);
  await page.getByRole('searchbox').press('Enter');
  await page.getByRole('link', { name: account.name as string }).click();
  await page.getByLabel(caption).selectOption({ label: 'Silver' });
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Saved', { exact: true })).toBeVisible();
  await page.reload();
  await expect(page.getByLabel(caption)).toHaveValue('silver');
});

test('a custom entity: created, in the navigation at once, deleted with its records when forced', async ({ page, request }) => {
  const suffix = Date.now().toString(36);
  const entity = `venture_${suffix}`;
  const display = `Venture ${suffix}`;
  await signIn(page);
  await page.goto('/admin');
  await page.getByRole('button', { name: 'New entity' }).click();
  const form = page.getByRole('form', { name: 'New custom entity' });
  await form.getByRole('textbox', { name: 'Name', exact: true }).fill(entity);
  await form.getByLabel('Set name').fill(`ventures_${suffix}`);
  await form.getByLabel('Display name (English)').fill(display);
  await form.getByLabel('Display name (Chinese)').fill(`风投 ${suffix}`);
  await form.getByLabel('Plural name (English)').fill(`${display} list`);
  await form.getByLabel('Plural name (Chinese)').fill(`风投 ${suffix}`);
  await form.getByRole('button', { name: 'Create entity' }).click();
  await expect(page.getByRole('heading', { level: 1, name: `Fields of ${display}` })).toBeVisible();
  await expect(page.getByRole('row', { name: /primary name/ })).toContainText('Text (one line)');
  await expectAccessible(page, 'designer: fields');

  const nav = page.getByRole('navigation', { name: 'Entities' });
  await nav.getByRole('link', { name: `${display} list` }).click();
  await expect(page.getByRole('heading', { level: 1, name: `${display} list` })).toBeVisible();
  await expect(page).toHaveURL(new RegExp(`/ventures_${suffix}$`));

  // With a record in it, deleting is refused until forced.
  const api = await apiClient(request);
  await api.create(`ventures_${suffix}`, { name: 'First venture' });
  await nav.getByRole('link', { name: 'Entities and fields' }).click();
  await page.getByRole('button', { name: `Delete ${display}` }).click();
  const dialog = page.getByRole('alertdialog', { name: `Delete the entity ${display}?` });
  await dialog.getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(dialog.getByRole('alert')).toContainText('This would lose data that records hold.');
  await dialog.getByRole('button', { name: 'Delete anyway and lose the data' }).click();
  await expect(page.getByRole('status').filter({ hasText: `${display} was deleted.` })).toBeVisible();
  await expect(nav.getByRole('link', { name: `${display} list` })).toHaveCount(0);
});

test('on a phone (375 px) the designer fits the width: entities, a field form with options', async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 740 });
  await signIn(page);
  await page.goto('/admin');
  await expect(page.getByRole('heading', { level: 1, name: 'Entities and fields' })).toBeVisible();
  await expectNoHorizontalScroll(page);
  await page.goto('/admin/entities/account');
  await page.getByRole('button', { name: 'Add field' }).click();
  await page.getByRole('form', { name: 'New field' }).getByLabel('Type').selectOption('multi_choice');
  await expect(page.getByRole('button', { name: 'Move option 1 down' })).toBeVisible();
  await expectNoHorizontalScroll(page);
});
