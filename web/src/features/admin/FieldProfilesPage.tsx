// Administration → Field security: the field security profiles (name, description, number of
// fields and holders) and a New profile form with the per-field rights; then the profile opens.
import { useState } from 'react';
import type { FormEvent } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { mapErrors } from '../records/errors';
import type { MappedErrors } from '../records/errors';
import { errorMessage } from '../records/errors';
import { AdminOnly } from './AdminOnly';
import { Field } from './Field';
import { FieldPermissionGrid } from './FieldPermissionGrid';
import { PROFILES_KEY, createProfile, listProfiles, permissionsOf } from './fieldProfiles';
import type { FieldGrid } from './fieldProfiles';

export default function FieldProfilesPage() {
  return (
    <AdminOnly>
      <Profiles />
    </AdminOnly>
  );
}

function Profiles() {
  const { t } = useTranslation();
  const profiles = useQuery({ queryKey: PROFILES_KEY, queryFn: listProfiles });
  const [creating, setCreating] = useState(false);
  return (
    <section className="designer" aria-labelledby="profiles-title">
      <p className="crumbs muted">{t('admin.title')}</p>
      <div className="page-head">
        <h1 id="profiles-title">{t('fieldProfiles.title')}</h1>
        {!creating && <button type="button" onClick={() => setCreating(true)}>{t('fieldProfiles.new')}</button>}
      </div>
      <p className="hint">{t('fieldProfiles.hint')}</p>
      {creating && <ProfileForm onCancel={() => setCreating(false)} />}
      {profiles.isPending && <p className="loading" role="status">{t('common.loading')}</p>}
      {profiles.isError && <p className="form-error" role="alert">{errorMessage(profiles.error, t)}</p>}
      {profiles.data && profiles.data.length === 0 && <p className="muted">{t('fieldProfiles.none')}</p>}
      {profiles.data && profiles.data.length > 0 && (
        <div className="table-scroll small">
          <table>
            <caption className="sr-only">{t('fieldProfiles.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('roles.name')}</th>
                <th scope="col">{t('admin.description')}</th>
                <th scope="col" className="num">{t('fieldProfiles.fields')}</th>
                <th scope="col" className="num">{t('fieldProfiles.holders')}</th>
              </tr>
            </thead>
            <tbody>
              {profiles.data.map((p) => (
                <tr key={p.id}>
                  <th scope="row"><Link to={`/admin/field-profiles/${p.id}`}>{p.name}</Link></th>
                  <td>{p.description ?? ''}</td>
                  <td className="num">{p.permissions.length}</td>
                  <td className="num">{p.members.length}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function ProfileForm({ onCancel }: { onCancel: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [grid, setGrid] = useState<FieldGrid>({});
  const [errors, setErrors] = useState<MappedErrors>({ fields: {}, general: [] });
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setErrors({ fields: {}, general: [] });
    try {
      const p = await createProfile({ name: name.trim(), description: description.trim(), permissions: permissionsOf(grid) });
      await qc.invalidateQueries({ queryKey: PROFILES_KEY });
      navigate(`/admin/field-profiles/${p.id}`);
    } catch (err) {
      setErrors(mapErrors(err, ['name', 'description']));
      setBusy(false);
    }
  };

  return (
    <form className="panel designer-form" aria-label={t('fieldProfiles.new')} onSubmit={submit} noValidate>
      <h2>{t('fieldProfiles.new')}</h2>
      {errors.general.length > 0 && (
        <p className="form-error" role="alert">{errors.general.map((g) => t(`errors.${g.code}`, { defaultValue: g.message, field: '' })).join(' ')}</p>
      )}
      <div className="form-grid flat">
        <Field id="profile-name" label={t('roles.name')} errors={errors.fields.name} required>
          {(p) => <input {...p} autoFocus aria-required="true" value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <Field id="profile-description" label={t('admin.description')} errors={errors.fields.description}>
          {(p) => <input {...p} value={description} onChange={(e) => setDescription(e.target.value)} />}
        </Field>
      </div>
      <h3>{t('fieldProfiles.permissions')}</h3>
      <FieldPermissionGrid grid={grid} onChange={setGrid} caption={t('fieldProfiles.permissions')} />
      <div className="actions">
        <button type="button" className="secondary" onClick={onCancel}>{t('common.cancel')}</button>
        <button type="submit" disabled={busy || !name.trim()}>{busy ? t('common.working') : t('fieldProfiles.create')}</button>
      </div>
    </form>
  );
}
