// Browser tests: Playwright driving Debian's Chromium (/usr/bin/chromium, installed by
// scripts/install-browser.sh; Playwright never downloads a browser here) against a real Meridian
// server on a fresh SQLite database, started by e2e/server.sh on a free port.
import { createServer } from 'node:net';
import { defineConfig, devices } from '@playwright/test';

/** A TCP port free on the loopback interface now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (a && typeof a === 'object' ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

// Chosen once by the runner; its workers inherit the environment and so the same port.
process.env.MERIDIAN_E2E_PORT ??= String(await freePort());
const port = Number(process.env.MERIDIAN_E2E_PORT);
const baseURL = `http://127.0.0.1:${port}`;
const chromium = process.env.MERIDIAN_E2E_CHROMIUM ?? '/usr/bin/chromium';

export default defineConfig({
  testDir: 'e2e',
  timeout: 120_000, // a guard against hangs, not a timing assertion; busy 2-core machines need the room
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: process.env.CI ? [['list']] : [['list'], ['html', { open: 'never' }]],
  outputDir: 'test-results',
  use: {
    baseURL,
    locale: 'en-US',
    timezoneId: 'UTC',
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'chromium',
      use: { ...devices['Desktop Chrome'], launchOptions: { executablePath: chromium } },
    },
  ],
  webServer: {
    command: 'bash e2e/server.sh',
    url: `${baseURL}/readyz`,
    timeout: 240_000,
    reuseExistingServer: false,
    stdout: 'ignore',
    stderr: 'pipe',
    gracefulShutdown: { signal: 'SIGTERM', timeout: 5_000 },
    env: { MERIDIAN_E2E_PORT: String(port) },
  },
});
