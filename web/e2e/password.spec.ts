// Changing one's password from the user menu: a wrong current password, a guessable new one and
// two new ones that differ are refused next to their fields; the change keeps this browser signed
// in and signs out the person's session in another browser; the old password no longer opens
// the account and the new one does.
import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import { apiClient, expectAccessible, unique } from './support';

async function signInAs(page: Page, email: string, password: string, name: string) {
  await page.goto('/signin');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { level: 1, name: `Welcome, ${name}` })).toBeVisible();
}

test('a user changes their password through the user menu and signs in with the new one', async ({ page, browser, request }) => {
  const api = await apiClient(request);
  const name = unique('Priya Raman');
  const email = `priya-${Date.now().toString(36)}@e2e.meridian.local`;
  const first = 'tangerine harbour 1887';
  const second = 'velvet compass under snow';
  await api.create('security/users', { email, full_name: name, password: first });

  // The same person is signed in in another browser too.
  const other = await browser.newContext();
  const elsewhere = await other.newPage();
  await signInAs(elsewhere, email, first, name);

  await signInAs(page, email, first, name);
  await page.getByRole('button', { name: /^Account \(/ }).click();
  await page.getByRole('link', { name: 'Change password' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Change password' })).toBeVisible();
  await expectAccessible(page, 'change password');
  const current = page.getByRole('textbox', { name: 'Current password' });
  const next = page.getByRole('textbox', { name: 'New password', exact: true });
  const again = page.getByRole('textbox', { name: 'New password again' });
  const submit = page.getByRole('button', { name: 'Change password' });

  // Two new passwords that differ: refused before anything is sent.
  await current.fill(first);
  await next.fill(second);
  await again.fill(second + '!');
  await submit.click();
  await expect(again).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByText('The two new passwords differ.')).toBeVisible();

  // A wrong current password.
  await current.fill('not my password at all');
  await again.fill(second);
  await submit.click();
  await expect(current).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByText('The current password is wrong.')).toBeVisible();

  // A guessable new password, with the reason.
  await current.fill(first);
  await next.fill('passwordpassword');
  await again.fill('passwordpassword');
  await submit.click();
  await expect(next).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByText('it is a repeated pattern')).toBeVisible();

  await next.fill(second);
  await again.fill(second);
  await submit.click();
  await expect(page.getByRole('status').filter({ hasText: 'Your password was changed. 1 other session was signed out.' })).toBeVisible();
  await expect(current).toHaveValue('');

  // This browser is still signed in; the other one is not.
  await page.goto('/accounts');
  await expect(page.getByRole('heading', { level: 1, name: 'Accounts' })).toBeVisible();
  await elsewhere.goto('/accounts');
  await expect(elsewhere).toHaveURL(/\/signin/);
  await other.close();

  // Sign out, then the old password fails and the new one works.
  await page.getByRole('button', { name: /^Account \(/ }).click();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in to Meridian' })).toBeVisible();
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(first);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('The email or password is wrong.');
  await signInAs(page, email, second, name);
});
