// The knowledge base in the browser: an article taken through its workflow with the buttons on
// its page (submit, publish, new version), and the knowledge panel on a case (suggestions with
// their reason, preview, search, "Use this article").
import { expect, test } from '@playwright/test';
import { apiClient, expectAccessible, signIn, unique } from './support';

test('an article submitted, published and given a new version from its page', async ({ page, request }) => {
  const api = await apiClient(request);
  const title = unique('Calibrating the flow meter');
  const art = await api.create('knowledge_articles', { title, content: 'Zero the meter with the valve closed.' });

  await signIn(page);
  await page.goto(`/knowledge_articles/${art.id}`);
  await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible();
  const bar = page.getByRole('group', { name: 'Process' });
  await bar.getByRole('button', { name: 'Submit for review' }).click();
  await page.getByRole('dialog', { name: 'Submit this article for review' }).getByRole('button', { name: 'Submit for review' }).click();
  await expect(page.getByRole('combobox', { name: 'Status', exact: true })).toHaveValue('review');

  await bar.getByRole('button', { name: 'Approve and publish' }).click();
  await page.getByRole('dialog', { name: 'Publish this article' }).getByRole('button', { name: 'Approve and publish' }).click();
  await expect(page.getByRole('combobox', { name: 'Status', exact: true })).toHaveValue('published');
  await expect(bar.getByRole('button', { name: 'Archive' })).toBeVisible();

  await bar.getByRole('button', { name: 'New version' }).click();
  await page.getByRole('dialog', { name: 'Make a new draft version of this article' }).getByRole('button', { name: 'New version' }).click();
  await expect(page).not.toHaveURL(new RegExp(art.id));
  await expect(page.getByRole('combobox', { name: 'Status', exact: true })).toHaveValue('draft');
  await expect(page.getByRole('textbox', { name: 'Version', exact: true })).toHaveValue('2');
  await expect(page.getByRole('group', { name: 'Process' }).getByRole('button', { name: 'Submit for review' })).toBeVisible();
});

test('the knowledge panel on a case suggests the article that solved similar cases', async ({ page, request }) => {
  const api = await apiClient(request);
  const word = unique('Zorblax').split(' ')[1]; // a word no other record holds
  const publish = async (title: string, content: string) => {
    const a = await api.create('knowledge_articles', { title, content });
    await api.post(`knowledge_articles(${a.id})/submit`, {});
    await api.post(`knowledge_articles(${a.id})/publish`, {});
    return a.id;
  };
  const answer = await publish(unique('Chiller restart procedure'), 'Hold the reset key for ten seconds.');
  await publish(unique(`Pump ${word} noise`), 'Grease the bearing.');
  const solved = await api.create('cases', { title: `Chiller ${word} alarm after power cut` });
  await api.post(`cases(${solved.id})/use_article`, { article_id: answer });
  await api.post(`cases(${solved.id})/resolve`, { resolution: 'Restarted the chiller' });
  const cs = await api.create('cases', { title: `Chiller ${word} alarm again` });

  await signIn(page);
  await page.goto(`/cases/${cs.id}`);
  const panel = page.getByRole('region', { name: 'Knowledge' });
  const suggested = panel.getByRole('list', { name: 'Suggested articles' });
  await expect(suggested.getByRole('listitem').first()).toContainText('solved 1 similar case');
  const first = suggested.getByRole('listitem').first();
  await first.getByRole('button', { name: /Chiller restart procedure/ }).click();
  await expect(first.getByRole('region', { name: 'Preview' })).toContainText('Hold the reset key');
  await expectAccessible(page, 'knowledge panel');
  await first.getByRole('button', { name: 'Use this article' }).click();
  await expect(first.getByText('Linked', { exact: true })).toBeVisible();

  await panel.getByRole('searchbox', { name: 'Search the knowledge base' }).fill(`why does the pump make ${word} noise`);
  await panel.getByRole('button', { name: 'Search', exact: true }).click();
  const results = panel.getByRole('list', { name: 'Search results' });
  await expect(results.getByRole('listitem').first()).toContainText('Pump');
});
