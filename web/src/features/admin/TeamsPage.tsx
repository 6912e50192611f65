// Administration → Teams: name (a link to the team's members), type and business unit; a team
// created (name, owner/access type, unit), after which its page opens.
import { useState } from 'react';
import type { FormEvent } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { errorMessage } from '../records/errors';
import { AdminOnly } from './AdminOnly';
import { TEAMS_KEY, UNITS_KEY, buildTree, createTeam, listTeams, listUnits, teamTypeLabel } from './org';
import type { UnitNode } from './org';
import { UnitOptions } from './UnitOptions';

export default function TeamsPage() {
  return (
    <AdminOnly>
      <Teams />
    </AdminOnly>
  );
}

function Teams() {
  const { t, i18n } = useTranslation();
  const teams = useQuery({ queryKey: TEAMS_KEY, queryFn: listTeams });
  const units = useQuery({ queryKey: UNITS_KEY, queryFn: listUnits });
  const tree = buildTree(units.data ?? [], i18n.language);
  const unitName = new Map((units.data ?? []).map((u) => [u.id, u.name]));
  const [creating, setCreating] = useState(false);

  return (
    <section className="designer" aria-labelledby="teams-title">
      <p className="crumbs muted">{t('admin.title')}</p>
      <div className="page-head">
        <h1 id="teams-title">{t('org.teamsTitle')}</h1>
        {!creating && <button type="button" onClick={() => setCreating(true)}>{t('org.newTeam')}</button>}
      </div>
      {creating && units.data && <TeamForm tree={tree} onCancel={() => setCreating(false)} />}
      {teams.isPending && <p className="loading" role="status">{t('common.loading')}</p>}
      {teams.isError && <p className="form-error" role="alert">{errorMessage(teams.error, t)}</p>}
      {teams.data && teams.data.length === 0 && <p className="muted">{t('org.noTeams')}</p>}
      {teams.data && teams.data.length > 0 && (
        <div className="table-scroll small">
          <table>
            <caption className="sr-only">{t('org.teamsTitle')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('org.name')}</th>
                <th scope="col">{t('org.teamType')}</th>
                <th scope="col">{t('org.unit')}</th>
              </tr>
            </thead>
            <tbody>
              {teams.data.map((team) => (
                <tr key={team.id}>
                  <th scope="row"><Link to={`/admin/teams/${team.id}`}>{team.name}</Link></th>
                  <td>{teamTypeLabel(team.team_type, t)}</td>
                  <td>{team.business_unit_id ? (unitName.get(team.business_unit_id) ?? '') : t('org.none')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function TeamForm({ tree, onCancel }: { tree: UnitNode[]; onCancel: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [type, setType] = useState('owner');
  const [unit, setUnit] = useState(tree[0]?.unit.id ?? '');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const team = await createTeam({ name: name.trim(), team_type: type, business_unit_id: unit });
      await qc.invalidateQueries({ queryKey: TEAMS_KEY });
      navigate(`/admin/teams/${team.id}`);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <form className="panel designer-form" aria-label={t('org.newTeam')} onSubmit={submit} noValidate>
      <h2>{t('org.newTeam')}</h2>
      {error !== null && <p className="form-error" role="alert">{errorMessage(error, t)}</p>}
      <div className="form-grid flat">
        <div className="field">
          <label htmlFor="team-name" className="field-label">{t('org.name')}</label>
          <input id="team-name" autoFocus required aria-required="true" value={name} onChange={(e) => setName(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="team-type" className="field-label">{t('org.teamType')}</label>
          <select id="team-type" value={type} onChange={(e) => setType(e.target.value)}>
            <option value="owner">{t('org.type.owner')}</option>
            <option value="access">{t('org.type.access')}</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="team-unit" className="field-label">{t('org.unit')}</label>
          <select id="team-unit" value={unit} onChange={(e) => setUnit(e.target.value)}>
            <UnitOptions tree={tree} />
          </select>
        </div>
      </div>
      <div className="actions">
        <button type="button" className="secondary" onClick={onCancel}>{t('common.cancel')}</button>
        <button type="submit" disabled={busy || !name.trim() || !unit}>{busy ? t('common.working') : t('org.createTeam')}</button>
      </div>
    </form>
  );
}
