// Administration → Users: name, email, business unit (a select: changing it moves the user),
// roles held (links to the role pages) and the disabled flag with Disable / Enable.
import { useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useMe } from '../auth/session';
import { errorMessage } from '../records/errors';
import { AdminOnly } from './AdminOnly';
import { UNITS_KEY, USERS_KEY, buildTree, listUnits, listUsers, patchUser, rolesByPrincipal } from './org';
import type { User } from './org';
import { UnitOptions } from './UnitOptions';

export default function UsersPage() {
  return (
    <AdminOnly>
      <Users />
    </AdminOnly>
  );
}

function Users() {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const me = useMe();
  const users = useQuery({ queryKey: USERS_KEY, queryFn: listUsers });
  const units = useQuery({ queryKey: UNITS_KEY, queryFn: listUnits });
  const roles = useQuery({ queryKey: ['org', 'roles-by-principal'], queryFn: rolesByPrincipal });
  const tree = buildTree(units.data ?? [], i18n.language);
  const unitName = new Map((units.data ?? []).map((u) => [u.id, u.name]));
  const [status, setStatus] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const change = async (user: User, body: Parameters<typeof patchUser>[1], done: string) => {
    setBusy(user.id);
    setError(null);
    setStatus('');
    try {
      await patchUser(user, body);
      await qc.invalidateQueries({ queryKey: USERS_KEY });
      setStatus(done);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  };

  return (
    <section className="designer" aria-labelledby="users-title">
      <p className="crumbs muted">{t('admin.title')}</p>
      <div className="page-head">
        <h1 id="users-title">{t('org.usersTitle')}</h1>
      </div>
      {error !== null && <p className="form-error" role="alert">{errorMessage(error, t)}</p>}
      <p className="status" role="status">{status}</p>
      {users.isPending && <p className="loading" role="status">{t('common.loading')}</p>}
      {users.isError && <p className="form-error" role="alert">{errorMessage(users.error, t)}</p>}
      {users.data && (
        <div className="table-scroll small">
          <table>
            <caption className="sr-only">{t('org.usersTitle')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('org.name')}</th>
                <th scope="col">{t('org.email')}</th>
                <th scope="col">{t('org.unit')}</th>
                <th scope="col">{t('org.roles')}</th>
                <th scope="col">{t('org.disabled')}</th>
              </tr>
            </thead>
            <tbody>
              {users.data.map((u) => {
                const self = me.data?.user_id === u.id;
                const held = roles.data?.get(u.id) ?? [];
                return (
                  <tr key={u.id} className={u.is_disabled ? 'muted' : undefined}>
                    <th scope="row">
                      {u.full_name}
                      {self && <span className="badge">{t('org.you')}</span>}
                    </th>
                    <td>{u.email ?? ''}</td>
                    <td>
                      <select
                        aria-label={t('org.moveUser', { user: u.full_name })}
                        value={u.business_unit_id ?? ''}
                        disabled={busy === u.id}
                        onChange={(e) => {
                          const unit = e.target.value;
                          void change(u, { business_unit_id: unit }, t('org.moved', { user: u.full_name, unit: unitName.get(unit) ?? unit }));
                        }}
                      >
                        {!u.business_unit_id && <option value="">{t('org.none')}</option>}
                        <UnitOptions tree={tree} />
                      </select>
                    </td>
                    <td>
                      {roles.isPending ? '…' : held.length === 0 ? <span className="muted">{t('org.noRoles')}</span> : (
                        <ul className="inline-list">
                          {held.map((r) => <li key={r.id}><Link to={`/admin/roles/${r.id}`}>{r.name}</Link></li>)}
                        </ul>
                      )}
                    </td>
                    <td>
                      <span className="user-state">
                        {u.is_disabled ? t('org.disabled') : t('org.active')}
                        {!self && (
                          <button
                            type="button"
                            className="link"
                            disabled={busy === u.id}
                            aria-label={u.is_disabled ? t('org.enableUser', { user: u.full_name }) : t('org.disableUser', { user: u.full_name })}
                            onClick={() => void change(u, { is_disabled: !u.is_disabled }, u.is_disabled ? t('org.userEnabled', { user: u.full_name }) : t('org.userDisabled', { user: u.full_name }))}
                          >
                            {u.is_disabled ? t('org.enable') : t('org.disable')}
                          </button>
                        )}
                      </span>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
