// The knowledge base as a case page uses it: the articles suggested for a case, the knowledge
// base search (published articles) and linking the article that answered the case. See
// docs/api.md, "Knowledge base".
import type { TFunction } from 'i18next';
import { api } from '../../api/client';
import { recordPath } from '../../api/odata';
import type { components } from '../../api/schema';

export type Suggestion = components['schemas']['ArticleSuggestion'];
export type SearchHit = components['schemas']['SearchHit'];

/** The key the suggestions of case `id` are cached under. */
export const suggestionsKey = (id: string) => ['knowledge', 'suggested', id];

/** The published articles suggested for a case, best first. */
export async function suggestedArticles(caseID: string, top = 5): Promise<Suggestion[]> {
  const res = await api<{ value: Suggestion[] }>(`${recordPath('cases', caseID)}/suggested_articles?top=${top}`);
  return res.data.value;
}

/** The published articles matching a question, best first. */
export async function searchArticles(q: string, top = 10): Promise<SearchHit[]> {
  const res = await api<{ value: SearchHit[] }>(`knowledge_articles/$search?q=${encodeURIComponent(q)}&top=${top}`);
  return res.data.value;
}

/** Links an article to the case it answered. */
export async function linkArticle(caseID: string, articleID: string): Promise<void> {
  await api(`${recordPath('cases', caseID)}/use_article`, { method: 'POST', body: { article_id: articleID } });
}

/** Why an article is suggested, in the user's language ("solved 2 similar cases · matches the case text"). */
export function reasonText(s: Pick<Suggestion, 'reasons' | 'solved_cases'>, t: TFunction): string {
  const out: string[] = [];
  if (s.reasons.includes('solved_similar_cases')) out.push(t('knowledge.solvedCases', { count: s.solved_cases }));
  if (s.reasons.includes('matches_text')) out.push(t('knowledge.matchesText'));
  return out.join(' · ');
}
