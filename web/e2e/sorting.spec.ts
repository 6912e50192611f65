// Sorting by name follows the reader's language: pinyin order in 中文, the server's default
// (code point) order in English, switching at once and kept across a reload.
import { expect, test } from '@playwright/test';
import { apiClient, expectAccessible, signIn, unique } from './support';

test('a list sorted by name comes in pinyin order in 中文 and in the default order in English', async ({ page, request }) => {
  const api = await apiClient(request);
  const tag = unique('').trim(); // the same suffix on every name: the Chinese prefix decides the order
  const named = (prefix: string) => `${prefix} ${tag}`;
  for (const prefix of ['张三贸易', '阿里山茶业', '北京东方', '成都天府']) {
    await api.create('accounts', { name: named(prefix) });
  }
  const pinyin = ['阿里山茶业', '北京东方', '成都天府', '张三贸易'].map(named);
  // Code point order: 北 U+5317 < 张 U+5F20 < 成 U+6210 < 阿 U+963F.
  const codePoint = ['北京东方', '张三贸易', '成都天府', '阿里山茶业'].map(named);

  await signIn(page);
  await page.goto('/accounts');
  await page.getByRole('searchbox').fill(tag);
  await page.getByRole('button', { name: 'Filter', exact: true }).click();
  const links = page.getByRole('table').getByRole('link', { name: new RegExp(tag) });
  await expect(links).toHaveCount(4);
  await page.getByRole('table').getByRole('button', { name: 'Account name' }).click();
  await expect(page.getByRole('columnheader', { name: 'Account name' })).toHaveAttribute('aria-sort', 'ascending');
  await expect(links).toHaveText(codePoint);

  // 中文: the same list is asked for again, now in pinyin order.
  await page.getByRole('button', { name: '中文' }).click();
  await expect(page.getByRole('columnheader', { name: '客户名称' })).toHaveAttribute('aria-sort', 'ascending');
  await expect(links).toHaveText(pinyin);
  await page.reload();
  await expect(links).toHaveText(pinyin);
  await expectAccessible(page, 'list sorted by pinyin');

  // Descending reverses it; the keyset pages (one account per page) keep the order.
  await page.getByRole('table').getByRole('button', { name: '客户名称' }).click();
  await expect(links).toHaveText([...pinyin].reverse());
  const paged: string[] = [];
  let next: string | undefined = `/api/v1/accounts?$select=name&$orderby=name&$filter=${encodeURIComponent(`contains(name,'${tag}')`)}`;
  while (next) {
    const r = await page.request.get(next, { headers: { 'Accept-Language': 'zh-CN', Prefer: 'odata.maxpagesize=1' } });
    expect(r.ok(), await r.text()).toBeTruthy();
    const body = (await r.json()) as { value: { name: string }[]; '@odata.nextLink'?: string };
    paged.push(...body.value.map((v) => v.name));
    next = body['@odata.nextLink'];
  }
  expect(paged).toEqual(pinyin);

  // Back to English, still descending: the default order again.
  await page.getByRole('button', { name: 'EN' }).click();
  await expect(page.getByRole('columnheader', { name: 'Account name' })).toHaveAttribute('aria-sort', 'descending');
  await expect(links).toHaveText([...codePoint].reverse());
});
