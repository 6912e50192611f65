// Working with records in the browser: create and link, edit with errors, the record page's
// related lists, activity timeline and history, and the accessibility of lists and records.
import { expect, test } from '@playwright/test';
import { apiClient, expectAccessible, signIn, unique } from './support';

test('creates an account, then a contact linked to it through the lookup type-ahead', async ({ page }) => {
  const account = unique('Kestrel Pumps');
  await signIn(page);
  await page.getByRole('navigation', { name: 'Entities' }).getByRole('link', { name: 'Accounts' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Accounts' })).toBeVisible();
  await page.getByRole('link', { name: 'New Account' }).click();
  await page.getByRole('textbox', { name: 'Account name', exact: true }).fill(account);
  await page.getByLabel('Industry').selectOption({ label: 'Manufacturing' });
  await page.getByLabel('Annual revenue', { exact: true }).fill('1,250,000');
  await page.getByLabel('Currency of Annual revenue').selectOption('CNY');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('heading', { level: 1, name: account })).toBeVisible();
  await expect(page).toHaveURL(/\/accounts\/[0-9a-f-]{36}$/);

  await page.getByRole('navigation', { name: 'Entities' }).getByRole('link', { name: 'Contacts' }).click();
  await page.getByRole('link', { name: 'New Contact' }).click();
  await page.getByLabel('First name').fill('Lei');
  await page.getByRole('textbox', { name: 'Last name' }).fill('Li');
  const lookup = page.getByRole('combobox', { name: 'Account' });
  await lookup.fill(account.slice(0, 12));
  await page.getByRole('option', { name: account }).click();
  await expect(lookup).toHaveValue(account);
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Lei Li' })).toBeVisible();
  await expect(page.getByRole('combobox', { name: 'Account' })).toHaveValue(account);

  // The account lists the contact among its related records.
  await page.getByRole('navigation', { name: 'Entities' }).getByRole('link', { name: 'Accounts' }).click();
  await page.getByRole('link', { name: account }).click();
  const contacts = page.getByRole('region', { name: /^Contacts/ });
  await expect(contacts.getByRole('link', { name: 'Lei Li' })).toBeVisible();
});

test('an edit with errors shows each next to its field, keeps what was typed, then saves', async ({ page, request }) => {
  const api = await apiClient(request);
  const name = unique('Harbin Cold Chain');
  const acc = await api.create('accounts', { name, city: 'Harbin', employees: 40 });
  await signIn(page);
  await page.goto(`/accounts/${acc.id}`);
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();

  const nameBox = page.getByRole('textbox', { name: 'Account name', exact: true });
  const employees = page.getByLabel('Employees');
  const city = page.getByLabel('City');
  // Checked in the browser: not a whole number.
  await employees.fill('12x');
  await city.fill('Hangzhou');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(employees).toHaveAttribute('aria-invalid', 'true');
  await expect(page.locator('#field-employees-error')).toHaveText('Enter a whole number.');
  await expect(employees).toBeFocused();
  // Checked by the server: the name is required; its error comes back next to the field.
  await employees.fill('1200');
  await nameBox.fill('');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.locator('#field-name-error')).toHaveText('Account name is required.');
  await expect(nameBox).toHaveAttribute('aria-invalid', 'true');
  await expect(employees).not.toHaveAttribute('aria-invalid', 'true');
  await expect(city).toHaveValue('Hangzhou');
  await expect(employees).toHaveValue('1200');

  await nameBox.fill(`${name} Ltd`);
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved' })).toBeVisible();
  await expect(nameBox).not.toHaveAttribute('aria-invalid', 'true');
  await page.reload();
  await expect(page.getByLabel('City')).toHaveValue('Hangzhou');
  await expect(page.getByLabel('Employees')).toHaveValue('1200');
});

test('record page: related lists, timeline with quick add, audit history; list and record pass axe', async ({ page, request }) => {
  const api = await apiClient(request);
  const name = unique('Suzhou Robotics');
  const acc = await api.create('accounts', { name });
  await api.create('contacts', { first_name: 'Mei', last_name: 'Wang', account_id: acc.id });
  await api.create('opportunities', { name: `${name} — line 2`, account_id: acc.id });
  await signIn(page);
  await page.goto(`/accounts?q=${encodeURIComponent(name)}`);
  await expect(page.getByRole('link', { name })).toBeVisible();
  await expectAccessible(page, 'account list');

  await page.getByRole('link', { name }).click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  const related = page.getByRole('region', { name: 'Related', exact: true });
  await expect(related.getByRole('region', { name: /^Contacts/ }).getByRole('link', { name: 'Mei Wang' })).toBeVisible();
  await expect(related.getByRole('region', { name: /^Opportunities/ }).getByRole('link', { name: `${name} — line 2` })).toBeVisible();
  await expect(related.getByRole('region', { name: /^Cases/ })).toContainText('None yet.');

  // Quick add: a note (the server's required error shows next to the subject), then a task.
  const timeline = page.getByRole('region', { name: 'Activities', exact: true });
  const add = timeline.getByRole('form', { name: 'Add an activity' });
  await add.getByLabel('Description').fill('Asked for a quote on 40 arms.');
  await add.getByRole('button', { name: 'Add Note' }).click();
  await expect(add.locator('#qa-subject-error')).toHaveText('Subject is required.');
  await expect(add.getByLabel('Description')).toHaveValue('Asked for a quote on 40 arms.');
  await add.getByRole('textbox', { name: 'Subject' }).fill('Call with the plant manager');
  await add.getByRole('button', { name: 'Add Note' }).click();
  const items = timeline.getByRole('list', { name: 'Activities' }).getByRole('listitem');
  await expect(items).toHaveCount(1);
  await expect(items.first()).toContainText('Call with the plant manager');
  await expect(items.first()).toContainText('Asked for a quote on 40 arms.');
  await add.getByText('Task', { exact: true }).click();
  await add.getByRole('textbox', { name: 'Subject' }).fill('Send the quote');
  await add.getByLabel('Due').fill('2030-05-01T09:30');
  await add.getByRole('button', { name: 'Add Task' }).click();
  await expect(items).toHaveCount(2);
  await expect(items.first()).toContainText('Send the quote'); // newest first
  await expect(items.first()).toContainText('Open');

  // History: an update shows the values before and after.
  await page.getByLabel('City').fill('Suzhou');
  await page.getByLabel('Employees').fill('350');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved' })).toBeVisible();
  const history = page.getByRole('region', { name: 'History', exact: true });
  const update = history.getByRole('listitem').filter({ hasText: 'Updated' }).first();
  await expect(update.getByRole('row', { name: /City/ })).toContainText('Suzhou');
  await expect(update.getByRole('row', { name: /Employees/ })).toContainText('350');
  await expect(history.getByRole('listitem').filter({ hasText: 'Created' })).toHaveCount(1);
  await expectAccessible(page, 'account record');
});
