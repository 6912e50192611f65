// Signing in and out of the web client.
import { expect, test } from '@playwright/test';
import { ADMIN, expectAccessible, signIn } from './support';

test('sign-in page is accessible, refuses a wrong password, signs in and out', async ({ page }) => {
  await page.goto('/');
  // Without a session every page leads to the sign-in page, remembering where it was going.
  await expect(page).toHaveURL(/\/signin\?next=%2F$/);
  await expect(page.getByRole('heading', { name: 'Sign in to Meridian' })).toBeVisible();
  await expectAccessible(page, 'sign-in');

  await page.getByLabel('Email').fill(ADMIN.email);
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('The email or password is wrong.');
  await expect(page.getByLabel('Email')).toHaveValue(ADMIN.email);

  await signIn(page);
  await page.getByRole('button', { name: /^Account \(/ }).click();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in to Meridian' })).toBeVisible();
  // The session is gone on the server too: the start page sends us back to sign in.
  await page.goto('/accounts');
  await expect(page).toHaveURL(/\/signin\?next=%2Faccounts$/);
});
