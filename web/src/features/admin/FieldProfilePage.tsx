// Administration → a field security profile: its per-field rights (saved with one PUT, which
// replaces them) and the users and teams holding it.
import { useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { errorMessage } from '../records/errors';
import { PrincipalName, PrincipalPicker } from '../sharing/PrincipalPicker';
import type { Principal } from '../sharing/PrincipalPicker';
import { AdminOnly } from './AdminOnly';
import { FieldPermissionGrid } from './FieldPermissionGrid';
import { PROFILES_KEY, addProfileMember, fieldGridOf, getProfile, removeProfileMember, savePermissions } from './fieldProfiles';
import type { FieldGrid, FieldProfile } from './fieldProfiles';

export default function FieldProfilePage() {
  return (
    <AdminOnly>
      <ProfileDetail />
    </AdminOnly>
  );
}

function ProfileDetail() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const profile = useQuery({ queryKey: [...PROFILES_KEY, id], queryFn: () => getProfile(id) });
  if (profile.isPending) return <p className="loading" role="status">{t('common.loading')}</p>;
  if (profile.isError) return <p className="form-error" role="alert">{errorMessage(profile.error, t)}</p>;
  return (
    <section className="designer" aria-labelledby="profile-title">
      <nav aria-label={t('record.breadcrumb')} className="crumbs">
        <Link to="/admin/field-profiles">{t('fieldProfiles.title')}</Link>
      </nav>
      <div className="page-head">
        <h1 id="profile-title">{t('fieldProfiles.profileTitle', { profile: profile.data.name })}</h1>
        {profile.data.description && <span className="muted">{profile.data.description}</span>}
      </div>
      <Permissions profile={profile.data} />
      <Holders profile={profile.data} />
    </section>
  );
}

function Permissions({ profile }: { profile: FieldProfile }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [grid, setGrid] = useState<FieldGrid>(() => fieldGridOf(profile.permissions));
  const [status, setStatus] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const save = async () => {
    setBusy(true);
    setError(null);
    setStatus('');
    try {
      const p = await savePermissions(profile.id, grid);
      setGrid(fieldGridOf(p.permissions));
      qc.setQueryData([...PROFILES_KEY, profile.id], p);
      await qc.invalidateQueries({ queryKey: PROFILES_KEY, exact: true });
      setStatus(t('fieldProfiles.saved'));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="panel" aria-labelledby="fp-grid-title">
      <h2 id="fp-grid-title">{t('fieldProfiles.permissions')}</h2>
      <FieldPermissionGrid grid={grid} onChange={(g) => { setGrid(g); setStatus(''); }} caption={t('fieldProfiles.permissions')} />
      {error !== null && <p className="form-error" role="alert">{errorMessage(error, t)}</p>}
      <div className="actions">
        <span className="status" role="status">{status}</span>
        <button type="button" disabled={busy} onClick={() => void save()}>{busy ? t('common.working') : t('fieldProfiles.save')}</button>
      </div>
    </section>
  );
}

function Holders({ profile }: { profile: FieldProfile }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [who, setWho] = useState<Principal>({ kind: 'user', id: '' });
  const [error, setError] = useState<unknown>(null);
  const [status, setStatus] = useState('');

  const run = async (f: () => Promise<void>, done: string) => {
    setError(null);
    setStatus('');
    try {
      await f();
      await qc.invalidateQueries({ queryKey: PROFILES_KEY });
      setStatus(done);
    } catch (e) {
      setError(e);
    }
  };

  return (
    <section className="panel" aria-labelledby="fp-holders-title">
      <h2 id="fp-holders-title">{t('fieldProfiles.holders')}</h2>
      {profile.members.length === 0 && <p className="muted">{t('fieldProfiles.noHolders')}</p>}
      <ul className="plain-list">
        {profile.members.map((m) => (
          <li key={m}>
            <PrincipalName id={m} />
            <button type="button" className="link danger-text" onClick={() => void run(() => removeProfileMember(profile.id, m), t('roles.removed'))}>
              {t('roles.remove')}<span className="sr-only"> <PrincipalName id={m} /></span>
            </button>
          </li>
        ))}
      </ul>
      <div className="inline-form">
        <PrincipalPicker label={t('fieldProfiles.addHolder')} value={who} onChange={setWho} />
        <button
          type="button"
          disabled={!who.id}
          onClick={() => void run(async () => {
            await addProfileMember(profile.id, who.id);
            setWho({ kind: who.kind, id: '' });
          }, t('roles.added'))}
        >
          {t('roles.add')}
        </button>
      </div>
      {error !== null && <p className="form-error" role="alert">{errorMessage(error, t)}</p>}
      <p className="status" role="status">{status}</p>
    </section>
  );
}
