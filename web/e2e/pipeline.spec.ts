// The opportunity pipeline: columns by stage with the server's totals, a card moved with the
// keyboard (dnd-kit's keyboard sensor) and with the mouse, saved and still there after a reload,
// a refused move put back with its error, and the board's accessibility.
import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import { apiClient, expectAccessible, signIn, unique } from './support';

const column = (page: Page, stage: string) => page.getByRole('listitem').filter({ has: page.getByRole('heading', { level: 2, name: stage, exact: true }) });

test('the board: totals per stage, a card moved by keyboard and by mouse, saved across a reload; axe', async ({ page, request }) => {
  const api = await apiClient(request);
  const account = await api.create('accounts', { name: unique("O'Hara Freight") });
  const first = unique('Cold storage deal');
  const second = unique('Fleet renewal');
  await api.create('opportunities', { name: first, account_id: account.id, amount: 12000, amount_currency: 'USD', stage: 'qualify', close_date: '2031-01-15' });
  await api.create('opportunities', { name: second, amount: 500, amount_currency: 'USD', stage: 'qualify', close_date: '2031-01-16' });

  await signIn(page);
  await page.getByRole('navigation', { name: 'Entities' }).getByRole('link', { name: 'Pipeline' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Opportunity pipeline' })).toBeVisible();
  const qualify = column(page, 'Qualify');
  const develop = column(page, 'Develop');
  const propose = column(page, 'Propose');
  const card = page.getByRole('article', { name: first });
  await expect(qualify.getByRole('article', { name: first })).toBeVisible();
  await expect(card).toContainText(account.name as string);
  await expect(card).toContainText('$12,000.00');
  await expect(card).toContainText('Closes Jan 15, 2031');
  const before = await develop.getByTestId('totals-develop').textContent();
  await expectAccessible(page, 'pipeline board');

  // Keyboard: pick up with Space, two columns to the right, drop with Space.
  await page.getByRole('button', { name: `Move ${first}` }).focus();
  await page.keyboard.press('Space');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('Space');
  await expect(page.getByText(`${first} moved to Propose.`)).toBeVisible();
  await expect(propose.getByRole('article', { name: first })).toBeVisible();

  // Mouse: drag the other card onto Develop.
  const other = page.getByRole('article', { name: second });
  await other.scrollIntoViewIfNeeded();
  const from = await other.boundingBox();
  const to = await develop.boundingBox();
  if (!from || !to) throw new Error('no layout');
  await page.mouse.move(from.x + 20, from.y + 30);
  await page.mouse.down();
  await page.mouse.move(from.x + 40, from.y + 40, { steps: 4 });
  await page.mouse.move(to.x + to.width / 2, to.y + 80, { steps: 8 });
  await page.mouse.up();
  await expect(page.getByText(`${second} moved to Develop.`)).toBeVisible();
  await expect(develop.getByTestId('totals-develop')).not.toHaveText(before ?? '');

  await page.reload();
  await expect(column(page, 'Propose').getByRole('article', { name: first })).toBeVisible();
  await expect(column(page, 'Develop').getByRole('article', { name: second })).toBeVisible();
  await expect(column(page, 'Qualify').getByRole('article', { name: first })).toHaveCount(0);
});

test('a move refused by the server (changed meanwhile: 412) puts the card back with the error', async ({ page, request }) => {
  const api = await apiClient(request);
  const name = unique('Contested deal');
  const opp = await api.create('opportunities', { name, stage: 'negotiate' });
  await signIn(page);
  await page.goto('/pipeline');
  const negotiate = column(page, 'Negotiate');
  await expect(negotiate.getByRole('article', { name })).toBeVisible();
  await api.patch(`opportunities(${opp.id})`, { description: 'changed elsewhere' });
  await page.getByRole('button', { name: `Move ${name}` }).focus();
  await page.keyboard.press('Space');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('Space');
  await expect(page.getByRole('alert')).toContainText(`${name} was not moved: Someone else changed this record`);
  await expect(negotiate.getByRole('article', { name })).toBeVisible();
});
