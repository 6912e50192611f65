// The knowledge panel on a case's page: the articles suggested for the case when it opens, a
// search of the knowledge base, a preview of an article, and "Use this article", which links it
// to the case.
import { useState } from 'react';
import type { FormEvent } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { recordPath } from '../../api/odata';
import type { EntityRecord } from '../../api/types';
import { errorMessage } from '../records/errors';
import { reasonText, searchArticles, suggestedArticles, suggestionsKey, linkArticle } from './knowledge';

interface Item {
  id: string;
  title: string;
  detail: string;
  linked: boolean;
}

export function KnowledgePanel({ caseID }: { caseID: string }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [text, setText] = useState('');
  const [q, setQ] = useState('');
  const [preview, setPreview] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState('');
  const suggested = useQuery({ queryKey: suggestionsKey(caseID), queryFn: () => suggestedArticles(caseID) });
  const found = useQuery({ queryKey: ['knowledge', 'search', q], enabled: q !== '', queryFn: () => searchArticles(q) });
  const linked = new Set((suggested.data ?? []).filter((s) => s.linked).map((s) => s.id));

  const items: Item[] = q
    ? (found.data ?? []).map((h) => ({ id: h.id, title: h.title, detail: h.snippet ?? '', linked: linked.has(h.id) }))
    : (suggested.data ?? []).map((s) => ({ id: s.id, title: s.title, detail: reasonText(s, t), linked: s.linked }));
  const pending = q ? found.isPending : suggested.isPending;

  const search = (ev: FormEvent) => {
    ev.preventDefault();
    setQ(text.trim());
  };
  const use = async (id: string) => {
    setError(null);
    setDone('');
    try {
      await linkArticle(caseID, id);
      await Promise.all([qc.invalidateQueries({ queryKey: suggestionsKey(caseID) }), qc.invalidateQueries({ queryKey: ['related'] })]);
      setDone(t('knowledge.used'));
    } catch (e) {
      setError(e);
    }
  };

  return (
    <section className="panel knowledge" aria-labelledby="knowledge-title">
      <h2 id="knowledge-title">{t('knowledge.title')}</h2>
      <form role="search" className="knowledge-search" onSubmit={search}>
        <input type="search" aria-label={t('knowledge.searchLabel')} placeholder={t('knowledge.searchPlaceholder')} value={text}
          onChange={(e) => { setText(e.target.value); if (!e.target.value) setQ(''); }} />
        <button type="submit" className="secondary">{t('knowledge.search')}</button>
      </form>
      <h3>{q ? t('knowledge.results') : t('knowledge.suggested')}</h3>
      {pending && <p className="loading" role="status">{t('common.loading')}</p>}
      {!pending && items.length === 0 && <p className="muted">{t('knowledge.none')}</p>}
      <ul className="knowledge-list" aria-label={q ? t('knowledge.results') : t('knowledge.suggested')}>
        {items.map((it) => (
          <li key={it.id}>
            <button type="button" className="link" aria-expanded={preview === it.id} onClick={() => setPreview(preview === it.id ? null : it.id)}>
              {it.title}
            </button>
            {it.detail && <span className="muted small">{it.detail}</span>}
            {it.linked
              ? <span className="badge">{t('knowledge.linked')}</span>
              : <button type="button" className="secondary small" onClick={() => void use(it.id)}>{t('knowledge.use')}</button>}
            {preview === it.id && <ArticlePreview id={it.id} />}
          </li>
        ))}
      </ul>
      <p role="status" className="status">{done}</p>
      {error !== null && <p className="form-error" role="alert">{errorMessage(error, t)}</p>}
    </section>
  );
}

/** An article's content, read when its preview opens. */
function ArticlePreview({ id }: { id: string }) {
  const { t } = useTranslation();
  const art = useQuery({
    queryKey: ['knowledge', 'article', id],
    queryFn: async () => (await api<EntityRecord>(`${recordPath('knowledge_articles', id)}?$select=title,content,article_number`)).data,
  });
  if (art.isPending) return <p className="loading" role="status">{t('common.loading')}</p>;
  if (art.isError) return <p className="form-error" role="alert">{errorMessage(art.error, t)}</p>;
  return (
    <div className="article-preview" role="region" aria-label={t('knowledge.preview')}>
      <p>{String(art.data.content ?? '')}</p>
    </div>
  );
}
