// Administration → a security role: its privilege grid (rows: every entity from metadata, plus
// "every entity"; columns: the eight privileges; each cell a depth) saved with one PUT, and the
// users and teams holding the role.
import { useEffect, useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { entityLabel, useEntities } from '../../api/metadata';
import { errorMessage } from '../records/errors';
import { PrincipalName, PrincipalPicker } from '../sharing/PrincipalPicker';
import type { Principal } from '../sharing/PrincipalPicker';
import { AdminOnly } from './AdminOnly';
import { ROLES_KEY } from './RolesPage';
import { DEPTHS, PRIVILEGES, WILDCARD, addRoleMember, getRole, gridOf, removeRoleMember, roleMembers, savePrivileges, setCell } from './roles';
import type { Depth, Grid, Privilege } from './roles';

export default function RolePage() {
  return (
    <AdminOnly>
      <RoleDetail />
    </AdminOnly>
  );
}

function RoleDetail() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const role = useQuery({ queryKey: ['security', 'role', id], queryFn: () => getRole(id) });
  if (role.isPending) return <p className="loading" role="status">{t('common.loading')}</p>;
  if (role.isError) return <p className="form-error" role="alert">{errorMessage(role.error, t)}</p>;
  return (
    <section className="designer" aria-labelledby="role-title">
      <nav aria-label={t('record.breadcrumb')} className="crumbs">
        <Link to="/admin/roles">{t('roles.title')}</Link>
      </nav>
      <div className="page-head">
        <h1 id="role-title">{t('roles.roleTitle', { role: role.data.name })}</h1>
        {role.data.description && <span className="muted">{role.data.description}</span>}
      </div>
      {role.data.is_admin ? <p className="status">{t('roles.adminAll')}</p> : <PrivilegeGrid id={id} initial={gridOf(role.data.privileges)} />}
      <RoleHolders id={id} />
    </section>
  );
}

function PrivilegeGrid({ id, initial }: { id: string; initial: Grid }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const qc = useQueryClient();
  const entities = useEntities();
  const [grid, setGrid] = useState<Grid>(initial);
  const [status, setStatus] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const rows: { name: string; label: string }[] = [
    { name: WILDCARD, label: t('roles.everyEntity') },
    ...[...(entities.data ?? [])]
      .map((e) => ({ name: e.name, label: entityLabel(e, lang) }))
      .sort((a, b) => a.label.localeCompare(b.label, lang)),
  ];

  const save = async () => {
    setBusy(true);
    setError(null);
    setStatus('');
    try {
      const r = await savePrivileges(id, grid);
      setGrid(gridOf(r.privileges));
      qc.setQueryData(['security', 'role', id], r);
      await qc.invalidateQueries({ queryKey: ROLES_KEY });
      setStatus(t('roles.saved'));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="panel" aria-labelledby="grid-title">
      <h2 id="grid-title">{t('roles.privileges')}</h2>
      <p className="hint">{t('roles.gridHint')}</p>
      <div className="table-scroll small privilege-grid">
        <table>
          <caption className="sr-only">{t('roles.privileges')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('roles.entity')}</th>
              {PRIVILEGES.map((p) => <th key={p} scope="col">{t(`roles.priv.${p}`)}</th>)}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.name}>
                <th scope="row">{row.label}</th>
                {PRIVILEGES.map((p: Privilege) => (
                  <td key={p}>
                    <select
                      aria-label={t('roles.cell', { privilege: t(`roles.priv.${p}`), entity: row.label })}
                      value={grid[row.name]?.[p] ?? 'none'}
                      className={grid[row.name]?.[p] ? 'granted' : undefined}
                      onChange={(e) => {
                        setGrid((g) => setCell(g, row.name, p, e.target.value as Depth));
                        setStatus('');
                      }}
                    >
                      {DEPTHS.map((d) => <option key={d} value={d}>{t(`roles.depth.${d}`)}</option>)}
                    </select>
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {error !== null && <p className="form-error" role="alert">{errorMessage(error, t)}</p>}
      <div className="actions">
        <span className="status" role="status">{status}</span>
        <button type="button" disabled={busy} onClick={() => void save()}>{busy ? t('common.working') : t('roles.savePrivileges')}</button>
      </div>
    </section>
  );
}

function RoleHolders({ id }: { id: string }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const key = ['security', 'role', id, 'members'];
  const members = useQuery({ queryKey: key, queryFn: () => roleMembers(id) });
  const [who, setWho] = useState<Principal>({ kind: 'user', id: '' });
  const [error, setError] = useState<unknown>(null);
  const [status, setStatus] = useState('');
  useEffect(() => setError(null), [who]);

  const run = async (f: () => Promise<void>, done: string) => {
    setError(null);
    setStatus('');
    try {
      await f();
      await qc.invalidateQueries({ queryKey: key });
      setStatus(done);
    } catch (e) {
      setError(e);
    }
  };

  return (
    <section className="panel" aria-labelledby="holders-title">
      <h2 id="holders-title">{t('roles.holders')}</h2>
      {members.isError && <p className="form-error" role="alert">{errorMessage(members.error, t)}</p>}
      {members.data && members.data.length === 0 && <p className="muted">{t('roles.noHolders')}</p>}
      <ul className="plain-list">
        {members.data?.map((m) => (
          <li key={m}>
            <PrincipalName id={m} />
            <button type="button" className="link danger-text" onClick={() => void run(() => removeRoleMember(id, m), t('roles.removed'))}>
              {t('roles.remove')}<span className="sr-only"> <PrincipalName id={m} /></span>
            </button>
          </li>
        ))}
      </ul>
      <div className="inline-form">
        <PrincipalPicker label={t('roles.addHolder')} value={who} onChange={setWho} />
        <button
          type="button"
          disabled={!who.id}
          onClick={() => void run(async () => {
            await addRoleMember(id, who.id);
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
