// The designer's alternate keys and N:N relationships: on a custom entity's fields page, a key
// added from the form (a bad name refused on the client first) and then usable in API paths; an
// N:N relationship with contacts added (its navigation answers at once) and removed. A system
// entity's keys are read-only. axe on the page.
import { expect, test } from '@playwright/test';
import { apiClient, expectAccessible, signIn } from './support';

test('an alternate key and an N:N relationship created and removed from the designer', async ({ page, request }) => {
  test.slow(); // many steps, each a schema change
  const api = await apiClient(request);
  const stamp = Date.now().toString(36);
  const entity = `pm${stamp}`;
  const set = `pm${stamp}s`;
  const label = `Programme ${stamp}`;
  await api.create('metadata/entities', {
    name: entity, set_name: set, display_name: { en: label, zh: `项目群 ${stamp}` },
    plural_name: { en: `${label}s`, zh: `项目群 ${stamp}` },
    attributes: [
      { name: 'name', type: 'string', required: true, display_name: { en: 'Name', zh: '名称' } },
      { name: 'code', type: 'string', max_length: 20, display_name: { en: 'Code', zh: '编码' } },
      { name: 'notes', type: 'text', display_name: { en: 'Notes', zh: '备注' } },
    ],
  });
  const rec = await api.create(set, { name: 'Alpha programme', code: 'A-1' });

  await signIn(page);
  await page.goto(`/admin/entities/${entity}`);
  await expect(page.getByRole('heading', { level: 1, name: `Fields of ${label}` })).toBeVisible();

  // The key: a text field cannot be part of one (not offered), a bad name is refused at once.
  const keys = page.getByRole('region', { name: 'Alternate keys' });
  await expect(keys.getByText('No alternate key.')).toBeVisible();
  const keyForm = keys.getByRole('form', { name: 'Add key' });
  await expect(keyForm.getByRole('checkbox', { name: 'Notes' })).toHaveCount(0);
  await keyForm.getByLabel('Key name').fill('Code Key');
  await keyForm.getByRole('checkbox', { name: 'Code' }).check();
  await keyForm.getByRole('button', { name: 'Add key' }).click();
  await expect(keyForm.getByRole('alert')).toContainText('snake_case');
  await keyForm.getByLabel('Key name').fill('code_key');
  await keyForm.getByRole('button', { name: 'Add key' }).click();
  await expect(keys.getByRole('status')).toHaveText('Key code_key added.');
  await expect(keys.getByRole('listitem').filter({ hasText: 'code_key' })).toContainText('Code');
  const byKey = await page.request.get(`/api/v1/${set}(code='A-1')`);
  expect(byKey.status()).toBe(200);
  expect(((await byKey.json()) as { id: string }).id).toBe(rec.id);

  // The relationship with contacts.
  const rels = page.getByRole('region', { name: 'Many-to-many relationships' });
  await expect(rels.getByText('No many-to-many relationship.')).toBeVisible();
  const relForm = rels.getByRole('form', { name: 'Add relationship' });
  await relForm.getByLabel('Relationship name').fill(`${entity}_contacts`);
  await relForm.getByLabel('Related entity').selectOption({ label: 'Contact' });
  await relForm.getByLabel(`Navigation on ${label}`).fill('member_contacts');
  await relForm.getByLabel('Navigation on Contact').fill(`${entity}_list`);
  await relForm.getByRole('button', { name: 'Add relationship' }).click();
  await expect(rels.getByRole('status')).toHaveText(`Relationship ${entity}_contacts added.`);
  const item = rels.getByRole('listitem').filter({ hasText: `${entity}_contacts` });
  await expect(item).toContainText('with Contact (navigation member_contacts)');
  const nav = await page.request.get(`/api/v1/${set}(${rec.id})/member_contacts`);
  expect(nav.status()).toBe(200);
  await expectAccessible(page, 'designer: keys and relationships');

  await item.getByRole('button', { name: `Remove ${entity}_contacts` }).click();
  await expect(rels.getByRole('status')).toHaveText(`Relationship ${entity}_contacts removed.`);
  await expect(rels.getByText('No many-to-many relationship.')).toBeVisible();
  expect((await page.request.get(`/api/v1/${set}(${rec.id})/member_contacts`)).status()).toBe(404);

  await keys.getByRole('button', { name: 'Remove code_key' }).click();
  await expect(keys.getByRole('status')).toHaveText('Key code_key removed.');
  await expect(keys.getByText('No alternate key.')).toBeVisible();

  // A system entity: its keys shown, not editable.
  await page.goto('/admin/entities/account');
  const accountKeys = page.getByRole('region', { name: 'Alternate keys' });
  await expect(accountKeys.getByText('The keys of system entities cannot be changed.')).toBeVisible();
  await expect(accountKeys.getByRole('form', { name: 'Add key' })).toHaveCount(0);
});
