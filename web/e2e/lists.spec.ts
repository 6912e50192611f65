// List tools: the filter builder narrowing a list (a quoted string and a number), the column
// chooser remembered across a reload, the CSV export link of the view, and bulk delete.
import { expect, test } from '@playwright/test';
import { apiClient, signIn, unique } from './support';

test('filter builder narrows the list; columns are remembered; export follows the view; bulk delete', async ({ page, request }) => {
  const api = await apiClient(request);
  const tag = unique('Lantern');
  await api.create('accounts', { name: `${tag} O'Neil Shipping`, employees: 500, city: 'Ningbo' });
  await api.create('accounts', { name: `${tag} Small Shop`, employees: 5, city: 'Ningbo' });
  await api.create('accounts', { name: `${tag} Big Mill`, employees: 900, city: 'Wuxi' });
  await signIn(page);
  await page.goto('/accounts');
  await page.getByRole('searchbox').fill(tag);
  await page.getByRole('button', { name: 'Filter', exact: true }).click();
  const table = page.getByRole('table', { name: 'Accounts' });
  await expect(table.getByRole('link', { name: /Lantern/ })).toHaveCount(3);

  // Employees greater than 100 and city equals Ningbo: only O'Neil Shipping is left.
  await page.getByRole('button', { name: 'Filters' }).click();
  const panel = page.getByRole('form', { name: 'Filter builder' });
  await panel.getByLabel('Field 1').selectOption({ label: 'Employees' });
  await panel.getByLabel('Operator 1').selectOption('gt');
  await panel.getByLabel('Value 1').fill('100');
  await panel.getByRole('button', { name: 'Add condition' }).click();
  await panel.getByLabel('Field 2').selectOption({ label: 'City' });
  await panel.getByLabel('Operator 2').selectOption('eq');
  await panel.getByLabel('Value 2').fill('');
  await panel.getByRole('button', { name: 'Apply' }).click();
  await expect(panel.getByText('Enter a value.')).toBeVisible();
  await panel.getByLabel('Value 2').fill('Ningbo');
  await panel.getByRole('button', { name: 'Apply' }).click();
  await expect(table.getByRole('link', { name: /Lantern/ })).toHaveCount(1);
  await expect(table.getByRole('link', { name: `${tag} O'Neil Shipping` })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Filters (2)' })).toBeVisible();
  const href = await page.getByRole('link', { name: 'Export CSV' }).getAttribute('href');
  expect(decodeURIComponent(href ?? '')).toContain("$filter=(contains(name,'Lantern");
  expect(decodeURIComponent(href ?? '')).toContain("(employees gt 100) and (city eq 'Ningbo')");
  const csv = await page.request.get(href ?? '');
  expect(csv.headers()['content-type']).toContain('text/csv');
  expect(await csv.text()).toContain("O'Neil Shipping");

  // A string with an apostrophe as the value, after a reload (the filter is in the URL).
  await page.reload();
  await expect(table.getByRole('link', { name: /Lantern/ })).toHaveCount(1);
  await page.getByRole('button', { name: 'Filters (2)' }).click();
  await page.getByRole('button', { name: 'Remove condition 1' }).click();
  await panel.getByLabel('Field 1').selectOption({ label: 'Account name' });
  await panel.getByLabel('Operator 1').selectOption('contains');
  await panel.getByLabel('Value 1').fill("o'neil");
  await panel.getByRole('button', { name: 'Apply' }).click();
  await expect(table.getByRole('link', { name: `${tag} O'Neil Shipping` })).toBeVisible();
  await expect(table.getByRole('link', { name: /Lantern/ })).toHaveCount(1);

  // Column chooser: Employees toggled, the choice kept across a reload (localStorage).
  await page.getByRole('button', { name: 'Columns' }).click();
  const employees = page.getByRole('checkbox', { name: 'Employees' });
  const wasOn = await employees.isChecked();
  await employees.click();
  await page.reload();
  await expect(page.getByRole('columnheader', { name: 'Employees' })).toHaveCount(wasOn ? 0 : 1);

  // Bulk delete of the remaining row, confirmed.
  await page.goto(`/accounts?q=${encodeURIComponent(tag)}`);
  await expect(table.getByRole('link', { name: /Lantern/ })).toHaveCount(3);
  await page.getByRole('checkbox', { name: `Select ${tag} Small Shop` }).check();
  await page.getByRole('checkbox', { name: `Select ${tag} Big Mill` }).check();
  await page.getByRole('button', { name: 'Delete selected' }).click();
  await page.getByRole('alertdialog', { name: 'Delete 2 records?' }).getByRole('button', { name: 'Delete' }).click();
  await expect(page.getByText('2 records deleted.')).toBeVisible();
  await expect(table.getByRole('link', { name: /Lantern/ })).toHaveCount(1);
});

test('home shows my open work', async ({ page, request }) => {
  const api = await apiClient(request);
  const subject = unique('Call back Mr Zhao');
  const opp = unique('Home deal');
  await api.create('tasks', { subject, due_at: '2031-02-01T09:00:00Z' });
  await api.create('tasks', { subject: `${subject} done`, status: 'completed' });
  await api.create('opportunities', { name: opp, amount: 42, stage: 'propose' });
  await signIn(page);
  const tasks = page.getByRole('region', { name: /^My open tasks/ });
  await expect(tasks.getByRole('link', { name: subject, exact: true })).toBeVisible();
  await expect(tasks.getByRole('link', { name: `${subject} done` })).toHaveCount(0);
  await expect(page.getByRole('region', { name: /^My open opportunities/ }).getByRole('link', { name: opp })).toBeVisible();
  await expect(page.getByRole('region', { name: /^My open cases/ })).toBeVisible();
});
