// Administration → Users: name, email, business unit (a select: changing it moves the user),
// roles held (links to the role pages) and the disabled flag with Disable / Enable; New user
// (email, name, password, unit, roles) creates a user who can sign in (POST /security/users).
import { useEffect, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useMe } from '../auth/session';
import { errorMessage, mapErrors } from '../records/errors';
import type { MappedErrors } from '../records/errors';
import { AdminOnly } from './AdminOnly';
import { Field } from './Field';
import { UNITS_KEY, USERS_KEY, buildTree, createUser, listUnits, listUsers, patchUser, rolesByPrincipal } from './org';
import type { NewUser, UnitNode, User } from './org';
import { listRoles } from './roles';
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
  const [creating, setCreating] = useState(false);

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
        {!creating && <button type="button" onClick={() => setCreating(true)}>{t('org.newUser')}</button>}
      </div>
      {creating && units.data && (
        <UserForm
          tree={tree}
          onCancel={() => setCreating(false)}
          onCreated={(u) => {
            setCreating(false);
            setStatus(t('org.userCreated', { user: u.full_name }));
          }}
        />
      )}
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

const USER_FIELDS = ['email', 'full_name', 'password', 'business_unit_id', 'roles'] as const;

function UserForm({ tree, onCancel, onCreated }: { tree: UnitNode[]; onCancel: () => void; onCreated: (u: User) => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const roles = useQuery({ queryKey: ['security', 'roles'], queryFn: listRoles });
  const form = useRef<HTMLFormElement>(null);
  const [u, setU] = useState<NewUser>({ email: '', full_name: '', password: '', business_unit_id: tree[0]?.unit.id ?? '', roles: [] });
  const [errors, setErrors] = useState<MappedErrors>({ fields: {}, general: [] });
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof NewUser>(k: K, v: NewUser[K]) => setU((x) => ({ ...x, [k]: v }));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setErrors({ fields: {}, general: [] });
    try {
      const created = await createUser(u);
      await qc.invalidateQueries({ queryKey: USERS_KEY });
      await qc.invalidateQueries({ queryKey: ['org', 'roles-by-principal'] });
      onCreated(created);
    } catch (err) {
      setErrors(mapErrors(err, USER_FIELDS));
      setBusy(false);
    }
  };
  // The keyboard goes to the first field at fault once its message is on the page (the submit
  // button was disabled while sending, so the focus is nowhere useful).
  useEffect(() => {
    if (!busy && Object.keys(errors.fields).length > 0) form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [errors, busy]);

  return (
    <form ref={form} className="panel designer-form" aria-label={t('org.newUser')} onSubmit={submit} noValidate>
      <h2>{t('org.newUser')}</h2>
      {errors.general.length > 0 && (
        <p className="form-error" role="alert">{errors.general.map((g) => t(`errors.${g.code}`, { defaultValue: g.message, field: '' })).join(' ')}</p>
      )}
      <div className="form-grid flat">
        <Field id="user-email" label={t('org.email')} errors={errors.fields.email} required>
          {(p) => <input {...p} type="email" autoComplete="off" autoFocus aria-required="true" value={u.email} onChange={(e) => set('email', e.target.value)} />}
        </Field>
        <Field id="user-name" label={t('org.fullName')} errors={errors.fields.full_name} required>
          {(p) => <input {...p} aria-required="true" value={u.full_name} onChange={(e) => set('full_name', e.target.value)} />}
        </Field>
        <Field id="user-password" label={t('org.password')} errors={errors.fields.password} hint={t('org.passwordHint')} required>
          {(p) => <input {...p} type="password" autoComplete="new-password" aria-required="true" value={u.password} onChange={(e) => set('password', e.target.value)} />}
        </Field>
        <Field id="user-unit" label={t('org.unit')} errors={errors.fields.business_unit_id}>
          {(p) => (
            <select {...p} value={u.business_unit_id} onChange={(e) => set('business_unit_id', e.target.value)}>
              <UnitOptions tree={tree} />
            </select>
          )}
        </Field>
      </div>
      <fieldset className="rights" aria-describedby={errors.fields.roles ? 'user-roles-error' : undefined}>
        <legend>{t('org.rolesToGive')}</legend>
        {roles.isPending && <span className="muted">{t('common.loading')}</span>}
        {roles.data?.map((r) => (
          <label key={r.id} className="check">
            <input
              type="checkbox"
              checked={u.roles.includes(r.id)}
              onChange={(e) => set('roles', e.target.checked ? [...u.roles, r.id] : u.roles.filter((x) => x !== r.id))}
            />
            {r.name}
          </label>
        ))}
        {errors.fields.roles && (
          <ul className="field-error" id="user-roles-error">
            {errors.fields.roles.map((m, i) => <li key={i}>{t(`errors.${m.code}`, { defaultValue: m.message, field: t('org.rolesToGive') })}</li>)}
          </ul>
        )}
      </fieldset>
      <div className="actions">
        <button type="button" className="secondary" onClick={onCancel}>{t('common.cancel')}</button>
        <button type="submit" disabled={busy || !u.email.trim() || !u.full_name.trim() || !u.password}>{busy ? t('common.working') : t('org.createUser')}</button>
      </div>
    </form>
  );
}
