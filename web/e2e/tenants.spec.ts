// Each tenant its own data model, seen through the designer: the default tenant's custom entity
// and its field on accounts never appear in the designer, the navigation or the account form of
// tenant beta (its administrator signs in through the sign-in page, naming the organisation), and
// beta's own field never appears in the default tenant's.
import { expect, test } from '@playwright/test';
import { apiClient, expectAccessible, signIn } from './support';

const BETA = { email: 'admin@beta.e2e.meridian.local', password: 'beta designer passphrase 9', name: 'Beta Admin', tenant: 'beta' };

test("the designer shows a tenant's own data model only", async ({ page, request }) => {
  const suffix = Date.now().toString(36);
  const alphaEntity = `alpha_only_${suffix}`;
  const alphaField = `alpha_tier_${suffix}`;
  const api = await apiClient(request);
  const created = await api.send('POST', 'metadata/entities', {
    name: alphaEntity, display_name: { en: `Alpha only ${suffix}`, zh: `仅甲 ${suffix}` },
    attributes: [{ name: 'title', type: 'string' }],
  });
  expect(created.status(), await created.text()).toBe(201);
  const field = await api.send('POST', 'metadata/entities/account/attributes', {
    name: alphaField, type: 'string', display_name: { en: `Alpha tier ${suffix}` },
  });
  expect(field.status(), await field.text()).toBe(201);

  // Beta's administrator, through the sign-in page.
  await page.goto('/signin');
  await page.getByLabel('Email').fill(BETA.email);
  await page.getByLabel('Password').fill(BETA.password);
  await page.getByLabel('Organisation (optional)').fill(BETA.tenant);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { level: 1, name: `Welcome, ${BETA.name}` })).toBeVisible();

  const nav = page.getByRole('navigation', { name: 'Entities' });
  await nav.getByRole('link', { name: 'Entities and fields' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Entities and fields' })).toBeVisible();
  await expect(page.getByRole('row', { name: /Account/ }).first()).toBeVisible();
  await expect(page.getByText(`Alpha only ${suffix}`)).toHaveCount(0);
  await expect(nav.getByRole('link', { name: new RegExp(`Alpha only ${suffix}`) })).toHaveCount(0);
  await page.screenshot({ path: 'test-results/tenants-beta-designer.png', fullPage: true });

  // Beta's fields of Account: the shipped ones and its own, not the default tenant's.
  await page.getByRole('link', { name: 'Account', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Fields of Account' })).toBeVisible();
  await expect(page.getByRole('row', { name: /Account name/ }).first()).toBeVisible();
  await expect(page.getByText(`Alpha tier ${suffix}`)).toHaveCount(0);
  await page.getByRole('button', { name: 'Add field' }).click();
  const form = page.getByRole('form', { name: 'New field' });
  await form.getByRole('textbox', { name: 'Name', exact: true }).fill(alphaField); // the same name, beta's own field
  await form.getByLabel('Display name (English)').fill(`Beta tier ${suffix}`);
  await form.getByLabel('Display name (Chinese)').fill('乙等级');
  await form.getByRole('button', { name: 'Add field' }).click();
  await expect(page.getByRole('status').filter({ hasText: `The field ${alphaField} was added.` })).toBeVisible();
  await expect(page.getByRole('row', { name: new RegExp(`Beta tier ${suffix}`) })).toBeVisible();
  await expectAccessible(page, 'designer: fields of a second tenant');
  // The whole table, the edit actions included, fits a 1280 px window without scrolling sideways.
  const fields = page.locator('.designer .table-scroll').first();
  expect(await fields.evaluate((el) => el.scrollWidth - el.clientWidth)).toBeLessThanOrEqual(0);
  const edit = await page.getByRole('row', { name: new RegExp(`Beta tier ${suffix}`) }).getByRole('button', { name: /^Edit/ }).boundingBox();
  expect(edit && edit.x + edit.width).toBeLessThanOrEqual(page.viewportSize()!.width);
  await page.screenshot({ path: 'test-results/tenants-beta-account-fields.png', fullPage: true });

  // Back in the default tenant: its own field, with its own label; nothing of beta's.
  await page.context().clearCookies();
  await signIn(page);
  await page.goto('/admin');
  await page.getByRole('link', { name: 'Account', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Fields of Account' })).toBeVisible();
  await expect(page.getByRole('row', { name: new RegExp(`Alpha tier ${suffix}`) })).toBeVisible();
  await expect(page.getByText(`Beta tier ${suffix}`)).toHaveCount(0);
});
