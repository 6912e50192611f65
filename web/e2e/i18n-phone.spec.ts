// The client in Simplified Chinese, and on a phone-sized screen.
import { expect, test } from '@playwright/test';
import { apiClient, expectAccessible, expectNoHorizontalScroll, signIn, unique } from './support';

test('switching to 中文 shows Chinese labels everywhere at once', async ({ page, request }) => {
  const api = await apiClient(request);
  const name = unique('青岛港机');
  const acc = await api.create('accounts', { name });
  await signIn(page);
  await page.goto(`/accounts/${acc.id}`);
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  await page.getByRole('button', { name: '中文' }).click();
  await expect(page.getByRole('button', { name: '中文' })).toHaveAttribute('aria-pressed', 'true');
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await expect(page.getByRole('textbox', { name: '客户名称', exact: true })).toHaveValue(name);
  await expect(page.getByRole('button', { name: '保存' })).toBeVisible();
  await expect(page.getByRole('region', { name: '活动', exact: true })).toBeVisible();
  await expect(page.getByRole('region', { name: '相关记录', exact: true })).toBeVisible();
  await page.getByRole('button', { name: /^账户（/ }).click();
  await expect(page.getByRole('button', { name: '退出登录' })).toBeVisible();
  await expect(page.getByRole('link', { name: '修改密码' })).toBeVisible();
  const nav = page.getByRole('navigation', { name: '实体' });
  await nav.getByRole('link', { name: '联系人' }).click();
  await expect(page.getByRole('heading', { level: 1, name: '联系人' })).toBeVisible();
  // Remembered across a reload.
  await page.reload();
  await expect(page.getByRole('link', { name: '新建联系人' })).toBeVisible();
  await page.getByRole('button', { name: 'EN' }).click();
  await expect(page.getByRole('link', { name: 'New Contact' })).toBeVisible();
});

test.describe('on a phone (375 px)', () => {
  test.use({ viewport: { width: 375, height: 740 }, hasTouch: true, isMobile: true });

  test('list and record pages fit the screen and work by touch', async ({ page, request }) => {
    const api = await apiClient(request);
    const name = unique('Xiamen Ferries International Holdings');
    const acc = await api.create('accounts', { name, city: 'Xiamen', revenue: 98000000, revenue_currency: 'CNY' });
    await api.create('contacts', { first_name: 'Yu', last_name: 'Chen', account_id: acc.id });
    await signIn(page);
    await expectNoHorizontalScroll(page);

    // The entity navigation is a drawer behind the menu button.
    const nav = page.getByRole('navigation', { name: 'Entities' });
    await expect(nav).toBeHidden();
    await page.getByRole('button', { name: 'Menu' }).tap();
    await nav.getByRole('link', { name: 'Accounts' }).tap();
    await expect(nav).toBeHidden();
    await expect(page.getByRole('heading', { level: 1, name: 'Accounts' })).toBeVisible();
    await page.getByRole('searchbox').fill(name);
    await page.getByRole('button', { name: 'Filter', exact: true }).tap();
    await expect(page.getByRole('link', { name })).toBeVisible();
    await expectNoHorizontalScroll(page);
    await expectAccessible(page, 'account list on a phone');

    await page.getByRole('link', { name }).tap();
    await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
    await expect(page.getByLabel('City')).toHaveValue('Xiamen');
    await expect(page.getByRole('region', { name: /^Contacts/ }).getByRole('link', { name: 'Yu Chen' })).toBeVisible();
    await expect(page.getByRole('region', { name: 'History', exact: true })).toBeVisible();
    await expectNoHorizontalScroll(page);
    await page.getByLabel('City').fill('Xiamen, Fujian');
    await page.getByRole('button', { name: 'Save' }).tap();
    await expect(page.getByRole('status').filter({ hasText: 'Saved' })).toBeVisible();
    await expectAccessible(page, 'account record on a phone');
  });
});
