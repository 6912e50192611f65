// Page timings of the web client in a real browser (Debian's Chromium through Playwright), against
// a running server — for docs/benchmarks.md, not a test: nothing here passes or fails on time.
//
//   MERIDIAN_URL=http://127.0.0.1:8080 MERIDIAN_EMAIL=… MERIDIAN_PASSWORD=… [RUNS=7] node scripts/timings.mjs
//
// Measures, RUNS times each (median and worst reported): a cold load of the account list (a new
// page: HTML, scripts, session, metadata, the first page of rows), an in-app navigation to the
// list, the next keyset page on scrolling to the end, and opening a record from the list; and
// counts the API requests each one makes before its rows or form show.
import { chromium } from '@playwright/test';

const base = process.env.MERIDIAN_URL ?? 'http://127.0.0.1:8080';
const email = process.env.MERIDIAN_EMAIL;
const password = process.env.MERIDIAN_PASSWORD;
const runs = Number(process.env.RUNS ?? 7);
if (!email || !password) throw new Error('set MERIDIAN_EMAIL and MERIDIAN_PASSWORD');

const browser = await chromium.launch({ executablePath: process.env.MERIDIAN_E2E_CHROMIUM ?? '/usr/bin/chromium' });
const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'en-US' });
const page = await context.newPage();
let api = [];
page.on('request', (r) => { if (r.url().includes('/api/v1/')) api.push(new URL(r.url()).pathname); });

await page.goto(`${base}/signin`);
await page.getByLabel('Email').fill(email);
await page.getByLabel('Password').fill(password);
await page.getByRole('button', { name: 'Sign in' }).click();
await page.waitForURL((u) => !u.pathname.startsWith('/signin'));
await page.getByRole('heading', { level: 1 }).first().waitFor();

const rows = () => page.locator('table tbody tr');
async function timed(fn) {
  api = [];
  const t0 = performance.now();
  await fn();
  return { ms: performance.now() - t0, requests: api.length, paths: [...api] };
}

const results = { cold: [], nav: [], next: [], record: [] };
for (let i = 0; i < runs; i++) {
  results.cold.push(await timed(async () => {
    await page.goto(`${base}/accounts`);
    await rows().nth(10).waitFor();
  }));
  await page.goto(`${base}/`);
  await page.getByRole('heading', { level: 1 }).first().waitFor();
  results.nav.push(await timed(async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Accounts', exact: true }).first().click();
    await rows().nth(10).waitFor();
  }));
  const before = await rows().count();
  results.next.push(await timed(async () => {
    await page.locator('.table-scroll').first().evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await page.waitForFunction((n) => document.querySelectorAll('table tbody tr').length > n || document.querySelector('table')?.getAttribute('aria-rowcount') !== '-1', before);
  }));
  results.record.push(await timed(async () => {
    await page.locator('table tbody tr:not([aria-hidden]) a').first().click();
    await page.getByRole('button', { name: 'Save' }).waitFor();
  }));
}
await browser.close();

const med = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const names = { cold: 'account list, cold load (new page)', nav: 'account list, in-app navigation', next: 'next keyset page on scroll', record: 'record page from the list' };
console.log(`| page | median ms | worst ms | API requests before it shows |`);
console.log(`|---|---|---|---|`);
for (const [k, v] of Object.entries(results)) {
  const ms = v.map((x) => x.ms);
  console.log(`| ${names[k]} | ${med(ms).toFixed(0)} | ${Math.max(...ms).toFixed(0)} | ${med(v.map((x) => x.requests))} (${[...new Set(v.at(-1).paths)].join(', ')}) |`);
}
