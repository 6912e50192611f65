// Assignment rules and queues in the browser: a lead routed on demand by a rule (the form shows
// the rule), a case picked from "My queues" on the case queue page; 中文; axe.
import { expect, test } from '@playwright/test';
import { ADMIN, apiClient, expectAccessible, signIn, unique } from './support';

test('route a lead by the rules and pick a case from my queue', async ({ page, request }) => {
  test.setTimeout(90_000);
  const api = await apiClient(request);
  const login = await request.post('/api/v1/auth/login', { data: { email: ADMIN.email, password: ADMIN.password } });
  const headers = { Authorization: `Bearer ${((await login.json()) as { token: string }).token}` };
  const get = async (path: string) => (await (await request.get(`/api/v1/${path}`, { headers })).json()) as Record<string, unknown>;
  const me = String((await get('auth/me')).user_id);

  const company = unique('Routed Co');
  const rita = await api.create('users', { full_name: unique('Router Rita'), email: `${unique('rita').replace(/\W/g, '')}@e2e.example` });
  // Created before its rule exists: the lead stays with its creator until routed.
  const lead = await api.create('leads', { first_name: 'Ada', last_name: 'Route', company_name: company });
  const ruleName = unique('Routed Co leads');
  // The condition names this run's company only, so that the rule leaves other tests' leads alone.
  const rule = await api.create('assignment_rules', { name: ruleName, target_entity: 'lead', sequence: 1,
    condition: `company_name eq '${company}'`, assign_type: 'user', user_id: rita.id });

  const queueName = unique('Tier one');
  const queue = await api.create('queues', { name: queueName });
  const r = await request.post(`/api/v1/queues(${queue.id})/members/$ref`, { data: { '@odata.id': `users(${me})` }, headers });
  expect(r.status(), await r.text()).toBe(204);
  const title = unique('Queued printer jam');
  const cs = await api.create('cases', { title, queue_id: queue.id, owner_id: rita.id, priority: 'high' });
  const other = unique('Unqueued case');
  await api.create('cases', { title: other, priority: 'high' });

  try {
    await signIn(page);
    await page.goto(`/leads/${lead.id}`);
    await expect(page.getByRole('heading', { level: 1, name: 'Ada Route' })).toBeVisible();
    await page.getByRole('group', { name: 'Process' }).getByRole('button', { name: 'Route', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Route this lead' });
    await expect(dialog).toContainText('first matching assignment rule');
    await expectAccessible(page, 'route dialog');
    await dialog.getByRole('button', { name: 'Apply assignment rules' }).click();
    await expect(dialog).toHaveCount(0);
    await expect(page.getByRole('textbox', { name: 'Routed by rule' })).toHaveValue(ruleName); // kept by the server: shown read-only
    expect((await get(`leads(${lead.id})`)).owner_id).toBe(rita.id);

    // The case queue, filtered to my queues: the queued case only; picking it makes it mine.
    await page.getByRole('navigation', { name: 'Entities' }).getByRole('link', { name: 'Case queue' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Case queue' })).toBeVisible();
    await page.getByRole('combobox', { name: 'Queue' }).selectOption({ label: 'My queues' });
    const row = (t: string) => page.getByRole('row').filter({ has: page.getByRole('link', { name: t }) });
    await expect(row(title)).toContainText(queueName);
    await expect(row(other)).toHaveCount(0);
    await expectAccessible(page, 'case queue by queue');
    await row(title).getByRole('button', { name: `Pick ${title}` }).click();
    await expect(row(title).getByRole('button', { name: `Pick ${title}` })).toHaveCount(0);
    await expect(row(title)).toContainText(ADMIN.name);
    const picked = await get(`cases(${cs.id})`);
    expect(picked.owner_id).toBe(me);
    expect(picked.status).toBe('in_progress');

    await page.getByRole('button', { name: '中文' }).click();
    await expect(page.getByRole('combobox', { name: '队列' })).toBeVisible();
    await expect(page.getByRole('option', { name: '我的队列' })).toHaveCount(1);
    await page.getByRole('button', { name: 'EN' }).click();
  } finally {
    await api.patch(`assignment_rules(${rule.id})`, { is_active: false });
  }
});
