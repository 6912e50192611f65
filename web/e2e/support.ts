// Helpers shared by the browser tests: signing in through the page, seeding records through the
// API (as a client would), and the accessibility check.
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import type { APIRequestContext, Page } from '@playwright/test';

/** The administrator e2e/server.sh bootstraps. */
export const ADMIN = { email: 'admin@e2e.meridian.local', password: 'e2e-password-123', name: 'E2E Admin' };

/** A suffix that keeps names of one run apart from the records other tests made. */
export function unique(prefix: string): string {
  return `${prefix} ${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
}

/**
 * Signs in through the sign-in page and waits for the start page. The administrator's saved
 * language is set back to English first: a test that switched to 中文 saved it on the user.
 */
export async function signIn(page: Page): Promise<void> {
  const login = await page.request.post('/api/v1/auth/login', { data: { email: ADMIN.email, password: ADMIN.password } });
  expect(login.ok(), await login.text()).toBeTruthy();
  const { token } = (await login.json()) as { token: string };
  const reset = await page.request.patch('/api/v1/auth/me', { data: { language: 'en' }, headers: { Authorization: `Bearer ${token}` } });
  expect(reset.ok(), await reset.text()).toBeTruthy();
  await page.goto('/signin');
  await page.getByLabel('Email').fill(ADMIN.email);
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { level: 1, name: `Welcome, ${ADMIN.name}` })).toBeVisible();
}

/** A bearer-token client of the API, for seeding records quickly. */
export async function apiClient(request: APIRequestContext) {
  const res = await request.post('/api/v1/auth/login', { data: { email: ADMIN.email, password: ADMIN.password } });
  expect(res.ok(), await res.text()).toBeTruthy();
  const { token } = (await res.json()) as { token: string };
  const headers = { Authorization: `Bearer ${token}` };
  return {
    async create(set: string, body: Record<string, unknown>): Promise<Record<string, unknown> & { id: string }> {
      const r = await request.post(`/api/v1/${set}`, { data: body, headers });
      expect(r.status(), await r.text()).toBe(201);
      return (await r.json()) as Record<string, unknown> & { id: string };
    },
    /** POSTs to an API path (an action such as `opportunities(<id>)/close`) and expects 200. */
    async post(path: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
      const r = await request.post(`/api/v1/${path}`, { data: body, headers });
      expect(r.status(), await r.text()).toBe(200);
      return (await r.json()) as Record<string, unknown>;
    },
    /** Any other request (e.g. a `$ref` that answers 204): the response, unchecked. */
    async send(method: 'POST' | 'DELETE' | 'GET', path: string, body?: Record<string, unknown>) {
      return request.fetch(`/api/v1/${path}`, { method, headers, ...(body ? { data: body } : {}) });
    },
    async patch(path: string, body: Record<string, unknown>): Promise<void> {
      const r = await request.patch(`/api/v1/${path}`, { data: body, headers });
      expect(r.ok(), await r.text()).toBeTruthy();
    },
  };
}

/** Runs axe (WCAG 2.1 A and AA rules) on the page and fails on serious or critical violations. */
export async function expectAccessible(page: Page, screen: string): Promise<void> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const bad = result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 5).join(', ')}`);
  // Moderate and minor findings do not fail the run; they are listed in the report.
  for (const v of result.violations.filter((x) => x.impact !== 'serious' && x.impact !== 'critical')) {
    test.info().annotations.push({ type: `axe ${v.impact ?? ''} (${screen})`, description: `${v.id}: ${v.help}` });
  }
  expect(bad, `axe on ${screen}`).toEqual([]);
}

/** Fails when the page scrolls sideways (content wider than the viewport). */
export async function expectNoHorizontalScroll(page: Page): Promise<void> {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, 'horizontal overflow in px').toBeLessThanOrEqual(0);
}
