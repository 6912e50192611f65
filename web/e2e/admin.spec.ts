// Administration: a user created with a role from the users page (a guessable password refused next
// to its field first) signs in on the real sign-in page in a fresh browser and meets the
// not-allowed state on an admin page, with no administration navigation; the same user added to
// an account's access team with an expiry (an expiry in the past refused next to its field),
// listed, then removed; field security profiles listed and created; a 中文 pass of the designer's
// entities page and new-field form. axe on every new screen.
import { expect, test } from '@playwright/test';
import { apiClient, expectAccessible, signIn, unique } from './support';

test('a user created with a role cannot administer; added to an account access team with an expiry, then removed', async ({ page, request, browser }) => {
  test.setTimeout(120_000); // two browsers, five axe runs on a shared 2-core machine
  const api = await apiClient(request);
  const stamp = Date.now().toString(36);
  const roleName = unique('Account reader');
  await api.create('security/roles', { name: roleName, privileges: [{ entity: 'account', privilege: 'read', depth: 'user' }] });
  const templateName = unique('Deal team');
  await api.create('security/access-team-templates', { name: templateName, entity: 'account', rights: ['read', 'write'] });
  const account = await api.create('accounts', { name: unique('Access Team Account') });
  const fullName = unique('Nadia Admin-less');
  const email = `nadia-${stamp}@e2e.meridian.local`;
  const password = 'a-long-enough-pass-42';

  await signIn(page);
  const nav = page.getByRole('navigation', { name: 'Entities' });
  await nav.locator('a[href="/admin/users"]').click(); // "Users" is also the users entity's list
  await expect(page.getByRole('heading', { level: 1, name: 'Users' })).toBeVisible();
  await page.getByRole('button', { name: 'New user' }).click();
  const form = page.getByRole('form', { name: 'New user' });
  await form.getByLabel('Email').fill(email);
  await form.getByLabel('Full name').fill(fullName);
  await form.getByLabel('Password').fill(email); // the strength estimator knows the user's own email
  await form.getByRole('checkbox', { name: roleName }).check();
  await expectAccessible(page, 'admin: new user form');
  await form.getByRole('button', { name: 'Create user' }).click();
  const pw = form.getByLabel('Password');
  await expect(pw).toHaveAttribute('aria-invalid', 'true');
  await expect(pw).toBeFocused();
  await expect(form.getByText('The password is too easy to guess: it contains your email address')).toBeVisible();
  await expect(form.getByLabel('Email')).toHaveValue(email); // nothing typed lost
  await pw.fill(password);
  await form.getByRole('button', { name: 'Create user' }).click();
  await expect(page.getByRole('status').filter({ hasText: `${fullName} created.` })).toBeVisible();
  const userRow = page.getByRole('row', { name: new RegExp(fullName) });
  await expect(userRow.getByRole('link', { name: roleName })).toBeVisible();

  // The new user signs in through the sign-in page in a browser of its own.
  const other = await browser.newContext();
  try {
    const p2 = await other.newPage();
    await p2.goto('/signin');
    await p2.getByLabel('Email').fill(email);
    await p2.getByLabel('Password').fill(password);
    await p2.getByRole('button', { name: 'Sign in' }).click();
    await expect(p2.getByRole('heading', { level: 1, name: `Welcome, ${fullName}` })).toBeVisible();
    const nav2 = p2.getByRole('navigation', { name: 'Entities' });
    await expect(nav2.getByRole('link', { name: 'Accounts' })).toBeVisible();
    await expect(nav2.locator('a[href^="/admin"]')).toHaveCount(0);
    await expect(nav2.getByRole('link', { name: 'Field security' })).toHaveCount(0);
    await expect(nav2.getByRole('heading', { name: 'Administration' })).toHaveCount(0);
    await p2.goto('/admin/users');
    await expect(p2.getByRole('alert').filter({ hasText: 'Only administrators can open this page.' })).toBeVisible();
    await expect(p2.getByRole('button', { name: 'New user' })).toHaveCount(0);
  } finally {
    await other.close();
  }

  // The administrator puts the user in the account's access team.
  await page.goto(`/accounts/${account.id}`);
  const panel = page.getByRole('region', { name: 'Sharing and owner' });
  await expect(panel.getByText("No one is in this record's access team.")).toBeVisible();
  const add = panel.getByRole('form', { name: 'Add to the access team' });
  await add.getByLabel('Access team template').selectOption({ label: templateName });
  await add.getByRole('combobox', { name: 'User' }).fill(fullName);
  await add.getByRole('option', { name: fullName }).click();
  const expiry = add.getByLabel('Expires (optional)');
  await expiry.fill('2020-01-15T10:30');
  await add.getByRole('button', { name: 'Add', exact: true }).click();
  await expect(expiry).toHaveAttribute('aria-invalid', 'true');
  await expect(add.getByText('The expiry is in the past.')).toBeVisible();
  await expiry.fill('2030-01-15T10:30');
  await add.getByRole('button', { name: 'Add', exact: true }).click();
  await expect(panel.getByText('Added to the access team.')).toBeVisible();
  const row = panel.getByRole('table', { name: 'Access team' }).getByRole('row', { name: new RegExp(fullName) });
  await expect(row).toContainText(templateName);
  await expect(row).toContainText('2030');
  await expect(row).not.toContainText('Expired');
  await expectAccessible(page, 'record: access team');
  await page.reload();
  await expect(row).toContainText('2030');
  await row.getByRole('button', { name: /Remove/ }).click();
  await expect(panel.getByText('Removed from the access team.')).toBeVisible();
  await expect(panel.getByText("No one is in this record's access team.")).toBeVisible();

  // Field security profiles: listed, one created, its page.
  await nav.getByRole('link', { name: 'Field security' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Field security' })).toBeVisible();
  await page.getByRole('button', { name: 'New profile' }).click();
  const profileName = unique('Finance fields');
  const pf = page.getByRole('form', { name: 'New profile' });
  await pf.getByLabel('Name').fill(profileName);
  await expectAccessible(page, 'admin: field security profiles');
  await pf.getByRole('button', { name: 'Create profile' }).click();
  await expect(page.getByRole('heading', { level: 1, name: `Field security profile: ${profileName}` })).toBeVisible();
  const holders = page.getByRole('region', { name: 'Holders' });
  await holders.getByRole('combobox', { name: 'Search users' }).fill(fullName);
  await holders.getByRole('option', { name: fullName }).click();
  await holders.getByRole('button', { name: 'Add', exact: true }).click();
  await expect(holders.getByRole('listitem').filter({ hasText: fullName })).toBeVisible();
  await expectAccessible(page, 'admin: field security profile');
  await page.getByRole('link', { name: 'Field security', exact: true }).first().click();
  await expect(page.getByRole('row', { name: new RegExp(profileName) }).getByRole('cell').last()).toHaveText('1'); // one holder
});

test('the designer in 中文: entities page and the new-field form', async ({ page }) => {
  test.setTimeout(60_000);
  await signIn(page);
  await page.getByRole('button', { name: '中文' }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  const nav = page.getByRole('navigation', { name: '实体' });
  await nav.getByRole('link', { name: '实体和字段' }).click();
  await expect(page.getByRole('heading', { level: 1, name: '实体和字段' })).toBeVisible();
  await expect(page.getByRole('button', { name: '新建实体' })).toBeVisible();
  await expectAccessible(page, 'designer in 中文: entities');
  await expect(page.getByRole('row', { name: /Account/ }).first()).toContainText('客户'); // the Chinese name beside the English
  await page.getByRole('table').getByRole('link', { name: 'Account', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: '客户的字段' })).toBeVisible();
  await page.getByRole('button', { name: '添加字段' }).click();
  const form = page.getByRole('form', { name: '新字段' });
  await form.getByLabel('类型').selectOption({ label: '单选' });
  await expect(form.getByRole('textbox', { name: '名称', exact: true })).toBeVisible();
  await expect(form.getByLabel('显示名称（英文）')).toBeVisible();
  await expect(form.getByLabel('显示名称（中文）')).toBeVisible();
  await expect(form.getByLabel('英文标签 1')).toBeVisible();
  await expect(form.getByLabel('中文标签 1')).toBeVisible();
  await expect(form.getByRole('button', { name: '取消' })).toBeVisible();
  await expectAccessible(page, 'designer in 中文: new field form');
  await form.getByRole('button', { name: '取消' }).click();
  await expect(form).toHaveCount(0);
});
