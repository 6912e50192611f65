// The "Duplicates" panel of an account's, contact's or lead's page: the records the duplicate
// rules say may be this one, each with a Merge button, the warning a create answered with, and
// the undo of a merge just made (the merge dialog lands on the survivor's page with ?merged=<id>).
import { useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useNavigate, useSearchParams } from 'react-router';
import type { EntityDefinition, EntityRecord } from '../../api/types';
import { errorMessage } from '../records/errors';
import { MergeDialog } from './MergeDialog';
import { findDuplicates, staleAfterMerge, undoMerge } from './dedupe';
import type { Candidate } from './dedupe';

export interface DuplicatesPanelProps {
  entity: EntityDefinition;
  set: string;
  id: string;
  record: EntityRecord;
}

export function DuplicatesPanel({ entity, set, id, record }: DuplicatesPanelProps) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const location = useLocation();
  const [search] = useSearchParams();
  const created = (location.state as { duplicates?: Candidate[] } | null)?.duplicates ?? [];
  const mergeID = search.get('merged');
  const [merging, setMerging] = useState<Candidate | null>(null);
  const [status, setStatus] = useState('');
  const [error, setError] = useState<unknown>(null);
  const q = useQuery({ queryKey: ['duplicates', set, id], queryFn: () => findDuplicates(set, id) });

  const undo = async () => {
    if (!mergeID) return;
    setError(null);
    try {
      await undoMerge(mergeID);
      await Promise.all(staleAfterMerge.map((k) => qc.invalidateQueries({ queryKey: [k] })));
      navigate(`/${set}/${encodeURIComponent(id)}`, { replace: true });
      setStatus(t('dedupe.undone'));
    } catch (e) {
      setError(e);
    }
  };

  const cands = q.data ?? [];
  return (
    <section className="panel duplicates" aria-labelledby="duplicates-title">
      <h2 id="duplicates-title">{t('dedupe.title')}{q.data ? ` (${cands.length})` : ''}</h2>
      {created.length > 0 && !mergeID && (
        <p className="form-error" role="alert">{t('dedupe.createdWarning', { count: created.length })}</p>
      )}
      {mergeID && (
        <p role="status" className="notice">
          {t('dedupe.merged')}{' '}
          <button type="button" className="secondary" onClick={() => void undo()}>{t('dedupe.undo')}</button>
        </p>
      )}
      {status && <p role="status">{status}</p>}
      {error !== null && <p className="form-error" role="alert">{errorMessage(error, t)}</p>}
      {q.isPending && <p className="muted">{t('common.loading')}</p>}
      {q.isError && <p className="form-error" role="alert">{errorMessage(q.error, t)}</p>}
      {q.data && cands.length === 0 && <p className="muted">{t('dedupe.none')}</p>}
      {cands.length > 0 && (
        <ul className="duplicate-list">
          {cands.map((c) => (
            <li key={c.id}>
              <Link to={`/${set}/${encodeURIComponent(c.id)}`}>{c.name || t('list.untitled')}</Link>{' '}
              <span className="muted">{t('dedupe.matched', { rules: c.rules.join(', '), score: Math.round(c.score * 100) })}</span>{' '}
              <button type="button" className="secondary" onClick={() => setMerging(c)}>
                {t('dedupe.merge')}<span className="sr-only"> {c.name}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {merging && <MergeDialog entity={entity} set={set} record={record} other={merging} onClose={() => setMerging(null)} />}
    </section>
  );
}
