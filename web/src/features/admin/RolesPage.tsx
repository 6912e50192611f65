// Administration → Security roles: every role with its number of privileges; creating one
// (then its privilege grid opens).
import { useState } from 'react';
import type { FormEvent } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { errorMessage } from '../records/errors';
import { AdminOnly } from './AdminOnly';
import { createRole, listRoles } from './roles';

export const ROLES_KEY = ['security', 'roles'] as const;

export default function RolesPage() {
  return (
    <AdminOnly>
      <Roles />
    </AdminOnly>
  );
}

function Roles() {
  const { t } = useTranslation();
  const roles = useQuery({ queryKey: ROLES_KEY, queryFn: listRoles });
  const [creating, setCreating] = useState(false);

  return (
    <section className="designer" aria-labelledby="roles-title">
      <p className="crumbs muted">{t('admin.title')}</p>
      <div className="page-head">
        <h1 id="roles-title">{t('roles.title')}</h1>
        {!creating && <button type="button" onClick={() => setCreating(true)}>{t('roles.new')}</button>}
      </div>
      {creating && <RoleForm onCancel={() => setCreating(false)} />}
      {roles.isPending && <p className="loading" role="status">{t('common.loading')}</p>}
      {roles.isError && <p className="form-error" role="alert">{errorMessage(roles.error, t)}</p>}
      {roles.data && (
        <div className="table-scroll small">
          <table>
            <caption className="sr-only">{t('roles.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('roles.name')}</th>
                <th scope="col">{t('admin.description')}</th>
                <th scope="col" className="num">{t('roles.privileges')}</th>
              </tr>
            </thead>
            <tbody>
              {roles.data.map((r) => (
                <tr key={r.id}>
                  <th scope="row">
                    <Link to={`/admin/roles/${r.id}`}>{r.name}</Link>
                    {r.is_admin && <span className="badge">{t('roles.admin')}</span>}
                  </th>
                  <td>{r.description ?? ''}</td>
                  <td className="num">{r.is_admin ? t('roles.all') : (r.privileges?.length ?? 0)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function RoleForm({ onCancel }: { onCancel: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const role = await createRole({ name: name.trim(), description: description.trim() });
      await qc.invalidateQueries({ queryKey: ROLES_KEY });
      navigate(`/admin/roles/${role.id}`);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <form className="panel designer-form" aria-label={t('roles.new')} onSubmit={submit} noValidate>
      <h2>{t('roles.new')}</h2>
      {error !== null && <p className="form-error" role="alert">{errorMessage(error, t)}</p>}
      <div className="form-grid flat">
        <div className="field">
          <label htmlFor="role-name" className="field-label">{t('roles.name')}</label>
          <input id="role-name" required aria-required="true" value={name} onChange={(e) => setName(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="role-description" className="field-label">{t('admin.description')}</label>
          <input id="role-description" value={description} onChange={(e) => setDescription(e.target.value)} />
        </div>
      </div>
      <div className="actions">
        <button type="button" className="secondary" onClick={onCancel}>{t('common.cancel')}</button>
        <button type="submit" disabled={busy || !name.trim()}>{busy ? t('common.working') : t('roles.create')}</button>
      </div>
    </form>
  );
}
