// The merge dialog: which record survives, which value of each differing field it keeps, and
// confirm. The survivor's page opens afterwards with the merge's undo.
import { useEffect, useMemo, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { api } from '../../api/client';
import { attributeLabel, primaryName } from '../../api/metadata';
import { recordPath } from '../../api/odata';
import type { AttributeDefinition, EntityDefinition, EntityRecord } from '../../api/types';
import { errorMessage } from '../records/errors';
import { formatValue } from '../records/format';
import { defaultWinners, differingFields, mergeRecords, staleAfterMerge } from './dedupe';
import type { Candidate, Winners } from './dedupe';

interface MergeDialogProps {
  entity: EntityDefinition;
  set: string;
  record: EntityRecord;
  other: Candidate;
  onClose: () => void;
}

export function MergeDialog({ entity, set, record, other, onClose }: MergeDialogProps) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const ref = useRef<HTMLDialogElement>(null);
  const qc = useQueryClient();
  const navigate = useNavigate();
  const otherRec = useQuery({
    queryKey: ['record', set, other.id, 'merge'],
    queryFn: async () => (await api<EntityRecord>(recordPath(set, other.id))).data,
  });
  const [keepThis, setKeepThis] = useState(true);
  const [winners, setWinners] = useState<Winners | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal?.();
    return () => d?.close?.();
  }, []);

  const survivor = keepThis ? record : otherRec.data;
  const loser = keepThis ? otherRec.data : record;
  const fields = useMemo(
    () => (otherRec.data ? differingFields(entity.attributes ?? [], record, otherRec.data) : []),
    [entity, record, otherRec.data],
  );
  // The defaults follow the survivor chosen until the user picks values.
  const chosen = winners ?? (survivor ? defaultWinners(fields, survivor) : {});

  const submit = async (ev: FormEvent) => {
    ev.preventDefault();
    if (!survivor || !loser) return;
    setBusy(true);
    setError(null);
    try {
      const m = await mergeRecords(set, String(survivor.id), String(loser.id), chosen);
      await Promise.all(staleAfterMerge.map((k) => qc.invalidateQueries({ queryKey: [k] })));
      onClose();
      navigate(`/${set}/${encodeURIComponent(m.survivor_id)}?merged=${encodeURIComponent(m.id)}`);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const pick = (name: string, w: 'survivor' | 'other') => setWinners({ ...chosen, [name]: w });
  const value = (a: AttributeDefinition, r: EntityRecord | undefined) =>
    r ? formatValue(a, r, lang, [t('common.yes'), t('common.no')]) || t('dedupe.blank') : '';
  const thisName = String(record[primaryName(entity)] ?? '');
  return (
    <dialog ref={ref} className="confirm merge-dialog" aria-labelledby="merge-title" onCancel={onClose}>
      <form onSubmit={submit} className="stack">
        <h2 id="merge-title">{t('dedupe.mergeTitle')}</h2>
        {otherRec.isPending && <p className="muted">{t('common.loading')}</p>}
        <fieldset>
          <legend>{t('dedupe.survivor')}</legend>
          <label className="check">
            <input type="radio" name="survivor" checked={keepThis} onChange={() => { setKeepThis(true); setWinners(null); }} />
            {t('dedupe.keepThis', { name: thisName })}
          </label>
          <label className="check">
            <input type="radio" name="survivor" checked={!keepThis} onChange={() => { setKeepThis(false); setWinners(null); }} />
            {t('dedupe.keepOther', { name: other.name })}
          </label>
        </fieldset>
        {fields.length > 0 && survivor && loser && (
          <fieldset>
            <legend>{t('dedupe.values')}</legend>
            <table className="merge-fields">
              <tbody>
                {fields.map((a) => (
                  <tr key={a.name}>
                    <th scope="row">{attributeLabel(a, lang)}</th>
                    <td>
                      <label className="check">
                        <input type="radio" name={`field-${a.name}`} checked={chosen[a.name] !== 'other'} onChange={() => pick(a.name, 'survivor')} />
                        {value(a, survivor)}
                      </label>
                    </td>
                    <td>
                      <label className="check">
                        <input type="radio" name={`field-${a.name}`} checked={chosen[a.name] === 'other'} onChange={() => pick(a.name, 'other')} />
                        {value(a, loser)}
                      </label>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </fieldset>
        )}
        <p className="muted">{t('dedupe.mergeExplain')}</p>
        {error !== null && <p className="form-error" role="alert">{errorMessage(error, t)}</p>}
        <div className="actions">
          <button type="button" className="secondary" onClick={onClose}>{t('common.cancel')}</button>
          <button type="submit" disabled={busy || !otherRec.data}>{busy ? t('common.working') : t('dedupe.confirm')}</button>
        </div>
      </form>
    </dialog>
  );
}
