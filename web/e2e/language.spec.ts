// The language follows the person, not the browser: chosen in one browser, it is saved on the
// user record and a fresh browser (English locale, empty storage) starts in it after sign-in; a
// choice made on the sign-in page of another browser wins and is saved in turn.
import { expect, test } from '@playwright/test';
import type { Browser, Page } from '@playwright/test';
import { apiClient, unique } from './support';

async function signInAs(page: Page, email: string, password: string, labels = { email: 'Email', password: 'Password', submit: 'Sign in' }) {
  await page.getByLabel(labels.email).fill(email);
  await page.getByLabel(labels.password).fill(password);
  await page.getByRole('button', { name: labels.submit, exact: true }).click();
}

async function freshPage(browser: Browser): Promise<Page> {
  const ctx = await browser.newContext(); // its own cookies and storage, locale en-US
  return ctx.newPage();
}

test('the language chosen in one browser follows the user to another', async ({ browser, request }) => {
  const api = await apiClient(request);
  const name = unique('Lan Lin');
  const email = `lan-${Date.now().toString(36)}@e2e.meridian.local`;
  const password = 'a-long-enough-pass-42';
  await api.create('security/users', { email, full_name: name, password });

  // Browser 1: signs in in English, switches to 中文.
  const p1 = await freshPage(browser);
  await p1.goto('/signin');
  await signInAs(p1, email, password);
  await expect(p1.getByRole('heading', { level: 1, name: `Welcome, ${name}` })).toBeVisible();
  const saved = p1.waitForResponse((r) => r.url().endsWith('/api/v1/auth/me') && r.request().method() === 'PATCH');
  await p1.getByRole('button', { name: '中文' }).click();
  await expect(p1.getByRole('heading', { level: 1, name: `欢迎，${name}` })).toBeVisible();
  expect((await saved).status()).toBe(200);

  // Browser 2: English sign-in page (nothing remembered), then the user's language.
  const p2 = await freshPage(browser);
  await p2.goto('/signin');
  await expect(p2.getByRole('button', { name: 'Sign in', exact: true })).toBeVisible();
  await signInAs(p2, email, password);
  await expect(p2.getByRole('heading', { level: 1, name: `欢迎，${name}` })).toBeVisible();
  await expect(p2.locator('html')).toHaveAttribute('lang', 'zh-CN');

  // Browser 3: the user picks English on the sign-in page; that choice wins and is saved.
  const p3 = await freshPage(browser);
  await p3.goto('/signin');
  await p3.getByRole('button', { name: '中文' }).click();
  await p3.getByRole('button', { name: 'EN' }).click();
  await signInAs(p3, email, password);
  await expect(p3.getByRole('heading', { level: 1, name: `Welcome, ${name}` })).toBeVisible();
  await expect.poll(async () => {
    const r = await p3.request.get('/api/v1/auth/me');
    return ((await r.json()) as { language?: string }).language;
  }).toBe('en');
  for (const p of [p1, p2, p3]) await p.context().close();
});
