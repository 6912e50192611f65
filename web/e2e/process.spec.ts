// The sales process in the browser: a lead qualified into an account, a contact and an
// opportunity; a product line added; the opportunity closed as won and reopened; a lead
// disqualified with a reason in 中文 on a phone.
import { expect, test } from '@playwright/test';
import { apiClient, expectAccessible, expectNoHorizontalScroll, signIn, unique } from './support';

test('a lead qualified into an opportunity with a line, closed as won; axe on the dialogs', async ({ page, request }) => {
  test.setTimeout(90_000); // a whole day's flow: several pages and two axe runs
  const api = await apiClient(request);
  const company = unique('Cobol Works');
  const subject = unique('Compiler roll-out');
  const lead = await api.create('leads', { first_name: 'Grace', last_name: 'Hopper', company_name: company, subject,
    email: 'grace@cobol.example', estimated_value: 80000, estimated_value_currency: 'USD' });

  await signIn(page);
  await page.goto(`/leads/${lead.id}`);
  await expect(page.getByRole('heading', { level: 1, name: 'Grace Hopper' })).toBeVisible();
  await page.getByRole('group', { name: 'Process' }).getByRole('button', { name: 'Qualify', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Qualify this lead' });
  await expect(dialog.getByRole('checkbox', { name: `an account "${company}"` })).toBeChecked();
  await expectAccessible(page, 'qualify dialog');
  await dialog.getByRole('button', { name: 'Qualify', exact: true }).click();

  // The new opportunity's page, linked to the new account and contact.
  await expect(page.getByRole('heading', { level: 1, name: subject })).toBeVisible();
  await expect(page).toHaveURL(/\/opportunities\/[0-9a-f-]{36}$/);
  const oppId = page.url().split('/').pop()!;
  await expect(page.getByRole('combobox', { name: 'Stage' })).toHaveValue('qualify');
  await expect(page.getByRole('textbox', { name: 'Probability (%)' })).toHaveValue('10');
  await expect(page.getByRole('combobox', { name: 'Account' })).toHaveValue(company);

  // A product line: its total, and the opportunity's amount becomes the lines' sum.
  await page.goto(`/opportunity_lines/new?opportunity_id=${oppId}`);
  await page.getByRole('textbox', { name: 'Description', exact: true }).fill('Compiler licences');
  await page.getByRole('textbox', { name: 'Quantity' }).fill('3');
  await page.getByRole('textbox', { name: 'Price per unit', exact: true }).fill('25000');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Compiler licences' })).toBeVisible();
  await expect(page.getByRole('textbox', { name: 'Extended amount', exact: true })).toHaveValue(/^75,?000(\.0+)?$/);
  await page.goto(`/opportunities/${oppId}`);
  await expect(page.getByRole('textbox', { name: 'Estimated revenue', exact: true })).toHaveValue(/^75,?000(\.0+)?$/);

  // Closed as won: status, probability and stage follow; reopen is offered instead.
  await page.getByRole('button', { name: 'Close as won or lost' }).click();
  const close = page.getByRole('dialog', { name: 'Close this opportunity' });
  await expect(close.getByRole('radio', { name: 'Won' })).toBeChecked();
  await close.getByRole('textbox', { name: 'Reason' }).fill('Best technical fit');
  await expectAccessible(page, 'close dialog');
  await close.getByRole('button', { name: 'Close as won or lost' }).click();
  await expect(close).toBeHidden();
  // Closed: the form shows it read-only (the server refuses edits until it is reopened).
  await expect(page.getByRole('textbox', { name: 'Status', exact: true })).toHaveValue('Won');
  await expect(page.getByRole('button', { name: 'Save' })).toHaveCount(0);
  await expect(page.getByRole('textbox', { name: 'Probability (%)' })).toHaveValue('100');
  await expect(page.getByRole('textbox', { name: 'Close reason' })).toHaveValue('Best technical fit');
  await expect(page.getByRole('button', { name: 'Reopen' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Close as won or lost' })).toHaveCount(0);

  // The lead is qualified now and offers reactivation.
  await page.goto(`/leads/${lead.id}`);
  await expect(page.getByRole('textbox', { name: 'Status', exact: true })).toHaveValue('Qualified');
  await expect(page.getByRole('button', { name: 'Reactivate' })).toBeVisible();
});

test.describe('on a phone (375 px), in 中文', () => {
  test.use({ viewport: { width: 375, height: 740 }, hasTouch: true, isMobile: true });

  test('a lead-to-won day: qualified, a call logged on the timeline, closed as won', async ({ page, request }) => {
    test.setTimeout(90_000);
    const api = await apiClient(request);
    const subject = unique('苏州数控改造');
    const lead = await api.create('leads', { first_name: '丽', last_name: '陈', company_name: unique('苏州精工'), subject,
      estimated_value: 320000, estimated_value_currency: 'CNY' });
    await signIn(page);
    await page.goto(`/leads/${lead.id}`);
    await page.getByRole('button', { name: '中文' }).click();
    await expect(page.getByRole('heading', { level: 1, name: '陈丽' })).toBeVisible();
    await page.getByRole('group', { name: '流程' }).getByRole('button', { name: '认定', exact: true }).tap();
    const qualify = page.getByRole('dialog', { name: '认定此潜在客户' });
    await expectNoHorizontalScroll(page);
    await qualify.getByRole('button', { name: '认定', exact: true }).tap();
    await expect(page.getByRole('heading', { level: 1, name: subject })).toBeVisible();
    await expect(page.getByRole('combobox', { name: '销售阶段' })).toHaveValue('qualify');

    // A call logged from the opportunity's timeline.
    await page.getByRole('radio', { name: '电话联络' }).check();
    await page.getByRole('textbox', { name: '主题' }).last().fill('确认预算和交付时间');
    await page.getByRole('combobox', { name: '方向' }).selectOption({ label: '呼出' });
    await page.getByRole('button', { name: '添加电话联络' }).tap();
    await expect(page.getByRole('list', { name: '活动' }).getByText('确认预算和交付时间')).toBeVisible();

    await page.getByRole('button', { name: '结束为赢单或丢单' }).tap();
    const close = page.getByRole('dialog', { name: '结束此商机' });
    await expect(close.getByRole('radio', { name: '赢单' })).toBeChecked();
    await expectNoHorizontalScroll(page);
    await close.getByRole('button', { name: '结束为赢单或丢单' }).tap();
    await expect(close).toBeHidden();
    await expect(page.getByRole('textbox', { name: '状态', exact: true })).toHaveValue('赢单');
    await expect(page.getByRole('textbox', { name: '赢单概率(%)' })).toHaveValue('100');
    await expectNoHorizontalScroll(page);
    await page.getByRole('button', { name: 'EN' }).tap();
  });

  test('a lead disqualified with a reason; an action waits for unsaved changes', async ({ page, request }) => {
    const api = await apiClient(request);
    const lead = await api.create('leads', { first_name: '晓东', last_name: '刘', company_name: unique('宁波模具') });
    await signIn(page);
    await page.goto(`/leads/${lead.id}`);
    await page.getByRole('button', { name: '中文' }).click();
    await expect(page.getByRole('heading', { level: 1, name: '刘晓东' })).toBeVisible();
    const bar = page.getByRole('group', { name: '流程' });

    // Unsaved changes first: the actions wait.
    await page.getByRole('textbox', { name: '职位' }).fill('采购经理');
    await expect(bar.getByRole('button', { name: '取消资格' })).toBeDisabled();
    await expect(page.getByText('请先保存您的更改。')).toBeVisible();
    await page.getByRole('button', { name: '保存' }).tap();
    await expect(page.getByText('已保存')).toBeVisible();

    await bar.getByRole('button', { name: '取消资格' }).tap();
    const dialog = page.getByRole('dialog', { name: '取消此潜在客户的资格' });
    await expect(dialog.getByRole('button', { name: '取消资格' })).toBeDisabled();
    await dialog.getByRole('combobox', { name: '取消资格原因' }).selectOption({ label: '没有预算' });
    await expectNoHorizontalScroll(page);
    await dialog.getByRole('button', { name: '取消资格' }).tap();
    await expect(dialog).toBeHidden();
    await expect(page.getByRole('textbox', { name: '状态', exact: true })).toHaveValue('已取消资格');
    await expect(page.getByRole('textbox', { name: '取消资格原因' })).toHaveValue('没有预算');
    await expect(bar.getByRole('button', { name: '重新激活' })).toBeVisible();
  });
});

test('a case resolved with its resolution and satisfaction, then reopened', async ({ page, request }) => {
  const api = await apiClient(request);
  const title = unique('Gateway offline');
  const cs = await api.create('cases', { title, priority: 'high' });
  await signIn(page);
  await page.goto(`/cases/${cs.id}`);
  await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible();
  await page.getByRole('group', { name: 'Process' }).getByRole('button', { name: 'Resolve' }).click();
  const dialog = page.getByRole('dialog', { name: 'Resolve this case' });
  await expect(dialog.getByRole('button', { name: 'Resolve' })).toBeDisabled();
  await dialog.getByRole('textbox', { name: 'Resolution' }).fill('Restarted the gateway and replaced its SIM');
  await dialog.getByRole('combobox', { name: 'Satisfaction (1–5)' }).selectOption('5');
  await expectAccessible(page, 'resolve dialog');
  await dialog.getByRole('button', { name: 'Resolve' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('textbox', { name: 'Status', exact: true })).toHaveValue('Resolved');
  await expect(page.getByRole('textbox', { name: 'Resolution' })).toHaveValue('Restarted the gateway and replaced its SIM');
  await page.getByRole('button', { name: 'Reopen' }).click();
  await page.getByRole('dialog', { name: 'Reopen this case' }).getByRole('button', { name: 'Reopen' }).click();
  await expect(page.getByRole('combobox', { name: 'Status', exact: true })).toHaveValue('in_progress');
  await expect(page.getByRole('button', { name: 'Cancel case' })).toBeVisible();
});
