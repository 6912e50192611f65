// Saved views and bulk actions on the account list: filter and save a personal view, reload and
// pick it again (filter re-applied), a modified view marked; a shared view that another user (made
// through the API, signed in with an OAuth2 client's token) sees while the personal one stays
// hidden; bulk edit of a field on two rows (a server error per row first, dialog kept), bulk assign
// of two rows to that user. axe on the view dialog; the picker in 中文 and at 375 px.
import { expect, test } from '@playwright/test';
import type { APIRequestContext, Browser, Page } from '@playwright/test';
import { ADMIN, expectAccessible, expectNoHorizontalScroll, signIn, unique } from './support';

/** An administrator's bearer-token session for the API. */
async function adminAPI(request: APIRequestContext) {
  const res = await request.post('/api/v1/auth/login', { data: { email: ADMIN.email, password: ADMIN.password } });
  expect(res.ok(), await res.text()).toBeTruthy();
  const headers = { Authorization: `Bearer ${((await res.json()) as { token: string }).token}` };
  return {
    async post<T>(path: string, data: unknown, status = 201): Promise<T> {
      const r = await request.post(`/api/v1/${path}`, { data, headers });
      expect(r.status(), await r.text()).toBe(status);
      return (r.status() === 204 ? undefined : await r.json()) as T;
    },
    async del(path: string): Promise<void> {
      const r = await request.delete(`/api/v1/${path}`, { headers });
      expect(r.status(), await r.text()).toBe(204);
    },
    async get<T>(path: string): Promise<T> {
      const r = await request.get(`/api/v1/${path}`, { headers });
      expect(r.ok(), await r.text()).toBeTruthy();
      return (await r.json()) as T;
    },
  };
}

/**
 * A user who may read accounts, created through the API, and an access token acting as them (an
 * OAuth2 client of that user: users get no password through the API).
 */
async function otherUser(request: APIRequestContext, api: Awaited<ReturnType<typeof adminAPI>>) {
  const stamp = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
  const name = unique('View Colleague');
  const user = await api.post<{ id: string }>('users', { full_name: name, email: `colleague-${stamp}@e2e.meridian.local` });
  const role = await api.post<{ id: string }>('security/roles', {
    name: `Account reader ${stamp}`,
    privileges: [{ entity: 'account', privilege: 'read', depth: 'organization' }],
  });
  await api.post(`security/roles/${role.id}/members`, { principal_id: user.id }, 204);
  const client = await api.post<{ client_id: string; client_secret: string }>('auth/clients', { name: `views ${stamp}`, user_id: user.id });
  const tok = await request.post('/api/v1/oauth2/token', {
    form: { grant_type: 'client_credentials', client_id: client.client_id, client_secret: client.client_secret },
  });
  expect(tok.ok(), await tok.text()).toBeTruthy();
  return { id: user.id, name, token: ((await tok.json()) as { access_token: string }).access_token };
}

/** A page signed in as whoever `token` belongs to (every request carries it). */
async function pageAs(browser: Browser, token: string): Promise<Page> {
  const ctx = await browser.newContext({ extraHTTPHeaders: { Authorization: `Bearer ${token}` }, locale: 'en-US', timezoneId: 'UTC' });
  return ctx.newPage();
}

test('filter and save a view; shared with a colleague; bulk edit and assign', async ({ page, request, browser }) => {
  test.setTimeout(90_000); // one long story: two users, a reload, two bulk actions, two languages
  const api = await adminAPI(request);
  const tag = unique('Harbour');
  const big1 = `${tag} Big One`;
  const big2 = `${tag} Big Two`;
  await api.post('accounts', { name: big1, employees: 500, city: 'Ningbo' });
  await api.post('accounts', { name: big2, employees: 900, city: 'Wuxi' });
  await api.post('accounts', { name: `${tag} Small`, employees: 5, city: 'Ningbo' });
  const colleague = await otherUser(request, api);
  await signIn(page);
  await page.goto(`/accounts?q=${encodeURIComponent(tag)}`);
  const table = page.getByRole('table', { name: 'Accounts' });
  await expect(table.getByRole('link', { name: /Harbour/ })).toHaveCount(3);

  // Filter: more than 100 employees; show the City column.
  await page.getByRole('button', { name: 'Filters' }).click();
  const panel = page.getByRole('form', { name: 'Filter builder' });
  await panel.getByLabel('Field 1').selectOption({ label: 'Employees' });
  await panel.getByLabel('Operator 1').selectOption('gt');
  await panel.getByLabel('Value 1').fill('100');
  await panel.getByRole('button', { name: 'Apply' }).click();
  await expect(table.getByRole('link', { name: /Harbour/ })).toHaveCount(2);
  await page.getByRole('button', { name: 'Columns', exact: true }).click();
  const city = page.getByRole('checkbox', { name: 'City' });
  if (!(await city.isChecked())) await city.click();
  await page.getByRole('button', { name: 'Columns', exact: true }).click();
  await expect(page.getByRole('columnheader', { name: 'City' })).toBeVisible();

  // Save it as a personal view (axe on the dialog; a blank name is refused first).
  const personal = unique('Big harbours');
  await page.getByRole('button', { name: 'Save as view' }).click();
  const dialog = page.getByRole('dialog', { name: 'Save the list as a view' });
  await expect(dialog).toBeVisible();
  await expectAccessible(page, 'save view dialog');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog.getByText('Enter a name.')).toBeVisible();
  await dialog.getByLabel('View name').fill(personal);
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: `View “${personal}” saved.` })).toBeVisible();
  const picker = page.getByLabel('View', { exact: true });
  await expect(picker.locator('option:checked')).toHaveText(personal);
  expect(new URL(page.url()).searchParams.get('view')).toBeTruthy();

  // A reload keeps the view; the plain list shows everything until the view is picked again.
  await page.reload();
  await expect(picker.locator('option:checked')).toHaveText(personal);
  await expect(table.getByRole('link', { name: /Harbour/ })).toHaveCount(2);
  await page.goto('/accounts');
  await expect(picker.locator('option:checked')).toHaveText('All records');
  await expect(page.getByRole('button', { name: 'Filters', exact: true })).toBeVisible();
  await picker.selectOption({ label: personal });
  await expect(table.getByRole('link', { name: /Harbour/ })).toHaveCount(2);
  await expect(page.getByRole('button', { name: 'Filters (1)' })).toBeVisible();
  await expect(page.getByRole('columnheader', { name: 'City' })).toBeVisible();
  await expect(page.getByText('Modified', { exact: true })).toHaveCount(0);
  // Sorting changes the list: the view is marked modified, and saving clears the mark.
  await page.getByRole('button', { name: 'Employees' }).click();
  await expect(page.getByText('Modified', { exact: true })).toBeVisible();
  await page.getByRole('button', { name: 'Save view' }).click();
  await expect(page.getByText('Modified', { exact: true })).toHaveCount(0);

  // A shared copy.
  const shared = unique('Team harbours');
  await page.getByRole('button', { name: 'Save as new' }).click();
  await dialog.getByLabel('View name').fill(shared);
  await dialog.getByRole('checkbox', { name: /Share with everyone/ }).check();
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(picker.locator('option:checked')).toHaveText(`${shared} (shared)`);

  // The colleague sees the shared view (read only), not the personal one.
  const other = await pageAs(browser, colleague.token);
  await other.goto('/accounts');
  const otherPicker = other.getByLabel('View', { exact: true });
  await expect(otherPicker.locator('optgroup[label="Shared views"] option', { hasText: shared })).toHaveCount(1);
  await expect(otherPicker.locator('option', { hasText: personal })).toHaveCount(0);
  await otherPicker.selectOption({ label: `${shared} (shared)` });
  await expect(other.getByRole('table', { name: 'Accounts' }).getByRole('link', { name: /Harbour/ })).toHaveCount(2);
  await expect(other.getByText('Shared with you: save a copy to change it.')).toBeVisible();
  await expect(other.getByRole('button', { name: 'Rename' })).toHaveCount(0);
  await expect(other.getByRole('button', { name: 'Delete view' })).toHaveCount(0);
  await other.context().close();

  // Bulk edit: a bad value is refused per row and the dialog keeps it; then a good one.
  await picker.selectOption({ label: personal });
  await expect(table.getByRole('link', { name: /Harbour/ })).toHaveCount(2);
  await page.getByRole('checkbox', { name: `Select ${big1}` }).check();
  await page.getByRole('checkbox', { name: `Select ${big2}` }).check();
  await page.getByRole('button', { name: 'Edit', exact: true }).click();
  const edit = page.getByRole('dialog', { name: 'Edit 2 records' });
  await edit.getByLabel('Field').selectOption({ label: 'Employees' });
  await edit.getByRole('textbox', { name: 'Employees' }).fill('-5');
  await edit.getByRole('button', { name: 'Apply to 2 records' }).click();
  await expect(edit.getByRole('alert')).toContainText(`${big1}: The value is out of range.`);
  await expect(edit.getByRole('alert')).toContainText('Nothing was changed: 1 other record was rolled back.');
  await expect(edit.getByRole('textbox', { name: 'Employees' })).toHaveValue('-5');
  await edit.getByLabel('Field').selectOption({ label: 'City' });
  await edit.getByRole('textbox', { name: 'City' }).fill('Hangzhou');
  await edit.getByRole('button', { name: 'Apply to 2 records' }).click();
  await expect(edit).toBeHidden();
  await expect(page.getByText('2 records updated.')).toBeVisible();
  await expect(table.getByRole('row', { name: new RegExp(big1) })).toContainText('Hangzhou');
  await expect(table.getByRole('row', { name: new RegExp(big2) })).toContainText('Hangzhou');

  // Bulk assign both to the colleague.
  await page.getByRole('checkbox', { name: `Select ${big1}` }).check();
  await page.getByRole('checkbox', { name: `Select ${big2}` }).check();
  await page.getByRole('button', { name: 'Assign', exact: true }).click();
  const assign = page.getByRole('dialog', { name: 'Assign 2 records' });
  await assign.getByRole('combobox', { name: 'Search users' }).fill(colleague.name);
  await assign.getByRole('option', { name: colleague.name }).click();
  await assign.getByRole('button', { name: 'Assign 2 records' }).click();
  await expect(assign).toBeHidden();
  await expect(page.getByText('2 records assigned.')).toBeVisible();
  const owners = await api.get<{ value: { name: string; owner_id: string }[] }>(
    `accounts?$select=name,owner_id&$filter=${encodeURIComponent(`startswith(name,'${tag} Big')`)}`,
  );
  expect(owners.value.map((r) => r.owner_id)).toEqual([colleague.id, colleague.id]);

  // 中文: the picker and its dialog in Chinese.
  await page.getByRole('button', { name: '中文' }).click();
  const zhPicker = page.getByLabel('视图', { exact: true });
  await expect(zhPicker.locator('option').first()).toHaveText('所有记录');
  await expect(zhPicker.locator('optgroup[label="我的视图"] option', { hasText: personal })).toHaveCount(1);
  await page.getByRole('button', { name: '另存为新视图' }).click();
  await expect(page.getByRole('dialog', { name: '将列表保存为视图' }).getByLabel('视图名称')).toBeVisible();
  await page.getByRole('dialog', { name: '将列表保存为视图' }).getByRole('button', { name: '取消' }).click();
  await page.getByRole('button', { name: 'EN' }).click();

  // Deleting the personal view.
  await picker.selectOption({ label: personal });
  await page.getByRole('button', { name: 'Delete view' }).click();
  await page.getByRole('alertdialog', { name: `Delete the view “${personal}”?` }).getByRole('button', { name: 'Delete view' }).click();
  await expect(picker.locator('option', { hasText: personal })).toHaveCount(0);
  await expect(picker.locator('option:checked')).toHaveText('All records');
});

test.describe('on a phone (375 px)', () => {
  test.use({ viewport: { width: 375, height: 740 }, hasTouch: true, isMobile: true });

  test('the default view opens with the list; the picker fits the screen', async ({ page, request }) => {
    const api = await adminAPI(request);
    const name = unique('Phone view');
    const v = await api.post<{ id: string }>('views', {
      entity: 'accounts', name, is_default: true,
      filter_model: { join: 'and', rows: [{ attr: 'city', op: 'eq', value: 'Xiamen' }] }, filter: "city eq 'Xiamen'",
    });
    await signIn(page);
    await page.goto('/accounts');
    const picker = page.getByLabel('View', { exact: true });
    await expect(picker.locator('option:checked')).toHaveText(`${name} · default`);
    await expect(page).toHaveURL(new RegExp(`view=${v.id}`));
    await expect(page.getByRole('button', { name: 'Filters (1)' })).toBeVisible();
    await expectNoHorizontalScroll(page);
    await page.getByRole('button', { name: 'Rename' }).tap();
    const dialog = page.getByRole('dialog', { name: 'Rename the view' });
    await expect(dialog.getByLabel('View name')).toHaveValue(name);
    const box = await dialog.boundingBox();
    expect(box && box.x >= 0 && box.x + box.width <= 375).toBeTruthy();
    await expectAccessible(page, 'rename view dialog on a phone');
    await dialog.getByRole('button', { name: 'Cancel' }).tap();
    await expectNoHorizontalScroll(page);
    await api.del(`views/${v.id}`); // other tests open the plain account list
  });
});
