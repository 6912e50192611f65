// Global search: the header box with its type-ahead, the results page, in English and Chinese,
// and on a phone.
import { expect, test } from '@playwright/test';
import { apiClient, expectAccessible, expectNoHorizontalScroll, signIn, unique } from './support';

// Several steps and axe runs per test: more than the default 30 s on a busy machine.
test.describe.configure({ timeout: 120_000 });

test('search from the header finds English and Chinese names and opens a result', async ({ page, request }) => {
  const api = await apiClient(request);
  const tag = unique('Quokka').split(' ')[1]!; // a word of its own, unique to this run
  const en = await api.create('accounts', { name: `Quokka Freight ${tag}`, description: `A Shanghai-based forwarder, reference ${tag}.` });
  const zhName = `上海华东贸易有限公司${tag}`;
  const zh = await api.create('accounts', { name: zhName, city: '上海' });
  const contact = await api.create('contacts', { first_name: 'Wei', last_name: `Zhang${tag}`, email: `wei.zhang@${tag}.example` });
  await signIn(page);

  // "/" focuses the box; the type-ahead shows the best matches with their entity.
  await page.keyboard.press('/');
  const box = page.getByRole('combobox', { name: 'Search', exact: true });
  await expect(box).toBeFocused();
  await box.fill(tag);
  const list = page.getByRole('listbox', { name: 'Best matches' });
  await expect(list.getByRole('option', { name: new RegExp(`Quokka Freight ${tag}`) })).toBeVisible();
  await expect(list.getByRole('option', { name: new RegExp(zhName) })).toBeVisible();
  await expect(list.getByRole('option', { name: new RegExp(`Wei Zhang${tag}.*Contact`) })).toBeVisible();
  // The title match ranks first; the arrow keys move, Enter opens.
  await expect(list.getByRole('option').first()).toContainText(`Quokka Freight ${tag}`);
  await box.press('ArrowDown');
  await expect(list.getByRole('option').first()).toHaveAttribute('aria-selected', 'true');
  await box.press('Enter');
  await expect(page).toHaveURL(new RegExp(`/accounts/${en.id}$`));
  await expect(page.getByRole('heading', { level: 1, name: `Quokka Freight ${tag}` })).toBeVisible();

  // Chinese: two characters find the company; Enter without a choice opens the results page.
  await box.click();
  await box.fill(`上海华东`);
  await expect(list.getByRole('option', { name: new RegExp(zhName) })).toBeVisible();
  await box.press('Enter');
  await expect(page).toHaveURL(/\/search\?q=/);
  await expect(page.getByRole('heading', { level: 1, name: 'Search results' })).toBeVisible();
  const results = page.getByRole('main').getByRole('listitem');
  await expect(results.filter({ hasText: zhName })).toHaveCount(1);
  await expect(page.getByRole('link', { name: zhName })).toHaveAttribute('href', `/accounts/${zh.id}`);
  await expectAccessible(page, 'search results');

  // The page searches again, and in Chinese labels.
  await page.getByRole('main').getByRole('searchbox').fill(`shanghai ${tag}`);
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await expect(results.filter({ hasText: `Quokka Freight ${tag}` })).toContainText('Shanghai-based');
  await page.getByRole('button', { name: '中文' }).click();
  await expect(page.getByRole('heading', { level: 1, name: '搜索结果' })).toBeVisible();
  await expect(results.filter({ hasText: `Quokka Freight ${tag}` })).toContainText('客户');
  await page.getByRole('button', { name: 'EN' }).click();

  // The e-mail finds the contact; the link opens it.
  await page.goto(`/search?q=${encodeURIComponent(`wei.zhang@${tag}`)}`);
  await page.getByRole('link', { name: `Wei Zhang${tag}` }).click();
  await expect(page).toHaveURL(new RegExp(`/contacts/${contact.id}$`));
});

test('the results page says when nothing matches', async ({ page }) => {
  await signIn(page);
  await page.goto('/search?q=zzqxnomatchqq');
  await expect(page.getByRole('status').filter({ hasText: 'Nothing found for “zzqxnomatchqq”.' })).toBeVisible();
  await expectAccessible(page, 'empty search results');
});

test('a question whose words are not all in one record finds the records holding some of them', async ({ page, request }) => {
  const api = await apiClient(request);
  const tag = unique('Quokka').split(' ')[1]!;
  const name = `Quokka Freight ${tag}`;
  await api.create('accounts', { name });
  await signIn(page);
  await page.goto(`/search?q=${encodeURIComponent(`which quokka freight ${tag} ships zebras`)}`);
  await expect(page.getByRole('link', { name })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'None holds every word; these hold some of them.' })).toBeVisible();
  // Every word held: no such note.
  await page.goto(`/search?q=${encodeURIComponent(`quokka ${tag}`)}`);
  await expect(page.getByRole('link', { name })).toBeVisible();
  await expect(page.getByText('None holds every word')).toHaveCount(0);
});

test.describe('on a phone (375 px)', () => {
  test.use({ viewport: { width: 375, height: 740 }, hasTouch: true, isMobile: true });

  test('a search button opens the box over the header', async ({ page, request }) => {
    const api = await apiClient(request);
    const tag = unique('Wombat').split(' ')[1]!;
    const acc = await api.create('accounts', { name: `Wombat Mining ${tag}` });
    await signIn(page);
    const box = page.getByRole('combobox', { name: 'Search', exact: true });
    await expect(box).toBeHidden();
    await page.getByRole('button', { name: 'Open search' }).tap();
    await expect(box).toBeFocused();
    await box.fill(tag);
    const option = page.getByRole('option', { name: new RegExp(`Wombat Mining ${tag}`) });
    await expect(option).toBeVisible();
    await expectNoHorizontalScroll(page);
    await expectAccessible(page, 'search type-ahead on a phone');
    await option.tap();
    await expect(page).toHaveURL(new RegExp(`/accounts/${acc.id}$`));
    await expect(box).toBeHidden();
    await page.goto(`/search?q=${tag}`);
    await expect(page.getByRole('link', { name: `Wombat Mining ${tag}` })).toBeVisible();
    await expectNoHorizontalScroll(page);
    await expectAccessible(page, 'search results on a phone');
  });
});
