// Choosing a user or a team: a kind select and the lookup type-ahead over /users or /teams
// (their primary names). Used by role holders, sharing and assigning.
import { useId } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { recordPath } from '../../api/odata';
import type { EntityRecord } from '../../api/types';
import { LookupEditor } from '../records/LookupEditor';

export type PrincipalKind = 'user' | 'team';
export interface Principal {
  kind: PrincipalKind;
  id: string;
}

export function PrincipalPicker({ value, onChange, label }: { value: Principal; onChange: (p: Principal) => void; label: string }) {
  const { t } = useTranslation();
  const id = useId();
  return (
    <fieldset className="principal-picker">
      <legend>{label}</legend>
      <label htmlFor={`${id}-kind`} className="sr-only">{t('sharing.kind')}</label>
      <select id={`${id}-kind`} value={value.kind} onChange={(e) => onChange({ kind: e.target.value as PrincipalKind, id: '' })}>
        <option value="user">{t('sharing.user')}</option>
        <option value="team">{t('sharing.team')}</option>
      </select>
      <label htmlFor={`${id}-who`} className="sr-only">{value.kind === 'user' ? t('sharing.searchUsers') : t('sharing.searchTeams')}</label>
      <LookupEditor key={value.kind} id={`${id}-who`} name="principal" target={value.kind} value={value.id} onChange={(v) => onChange({ kind: value.kind, id: v })} />
    </fieldset>
  );
}

/** The name of a user (full name) or team; without a kind, a user is tried first. */
export function PrincipalName({ id, kind }: { id: string; kind?: string | undefined }) {
  const q = useQuery({
    queryKey: ['principal-name', id],
    queryFn: async () => {
      const tries: [string, string][] = kind === 'team' ? [['teams', 'name']] : kind === 'user' ? [['users', 'full_name']] : [['users', 'full_name'], ['teams', 'name']];
      for (const [set, attr] of tries) {
        try {
          const r = await api<EntityRecord>(`${recordPath(set, id)}?$select=${attr}`);
          return { name: String(r.data[attr] ?? id), team: set === 'teams' };
        } catch {
          // not this kind (or not visible): try the next
        }
      }
      return { name: id, team: false };
    },
    staleTime: 60_000,
  });
  return <>{q.data?.name ?? id}</>;
}
