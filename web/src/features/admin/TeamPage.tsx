// Administration → a team: its type and unit, and its members — listed from teams(<id>)/members,
// added with a user type-ahead (POST …/members/$ref) and removed (DELETE …/members(<user>)/$ref).
import { useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { errorMessage } from '../records/errors';
import { LookupEditor } from '../records/LookupEditor';
import { AdminOnly } from './AdminOnly';
import { UNITS_KEY, addTeamMember, getTeam, listUnits, removeTeamMember, teamMembers, teamTypeLabel } from './org';

export default function TeamPage() {
  return (
    <AdminOnly>
      <TeamDetail />
    </AdminOnly>
  );
}

function TeamDetail() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const team = useQuery({ queryKey: ['org', 'team', id], queryFn: () => getTeam(id) });
  const units = useQuery({ queryKey: UNITS_KEY, queryFn: listUnits });
  if (team.isPending) return <p className="loading" role="status">{t('common.loading')}</p>;
  if (team.isError) return <p className="form-error" role="alert">{errorMessage(team.error, t)}</p>;
  const unit = units.data?.find((u) => u.id === team.data.business_unit_id);
  return (
    <section className="designer" aria-labelledby="team-title">
      <nav aria-label={t('record.breadcrumb')} className="crumbs">
        <Link to="/admin/teams">{t('org.teamsTitle')}</Link>
      </nav>
      <div className="page-head">
        <h1 id="team-title">{t('org.teamTitle', { team: team.data.name })}</h1>
        <span className="muted">
          {teamTypeLabel(team.data.team_type, t)}
          {unit && ` · ${unit.name}`}
        </span>
      </div>
      <Members id={id} />
    </section>
  );
}

function Members({ id }: { id: string }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const key = ['org', 'team', id, 'members'];
  const members = useQuery({ queryKey: key, queryFn: () => teamMembers(id) });
  const [user, setUser] = useState('');
  const [pick, setPick] = useState(0); // remounts the type-ahead after an add
  const [error, setError] = useState<unknown>(null);
  const [status, setStatus] = useState('');

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

  const add = () =>
    run(async () => {
      await addTeamMember(id, user);
      setUser('');
      setPick((n) => n + 1);
    }, t('org.added'));

  return (
    <section className="panel" aria-labelledby="members-title">
      <h2 id="members-title">{t('org.members')}</h2>
      {members.isPending && <p className="loading" role="status">{t('common.loading')}</p>}
      {members.isError && <p className="form-error" role="alert">{errorMessage(members.error, t)}</p>}
      {members.data && members.data.length === 0 && <p className="muted">{t('org.noMembers')}</p>}
      <ul className="plain-list">
        {members.data?.map((m) => (
          <li key={m.id}>
            <span>{m.full_name}</span>
            {m.email && <span className="muted">{m.email}</span>}
            <button type="button" className="link danger-text" onClick={() => void run(() => removeTeamMember(id, m.id), t('org.removed', { user: m.full_name }))}>
              {t('org.remove')}<span className="sr-only"> {m.full_name}</span>
            </button>
          </li>
        ))}
      </ul>
      <div className="inline-form">
        <div className="field">
          <label htmlFor="member-user" className="field-label">{t('org.addMember')}</label>
          <LookupEditor key={pick} id="member-user" name="member" target="user" value={user} onChange={setUser} />
        </div>
        <button type="button" disabled={!user} onClick={() => void add()}>{t('org.add')}</button>
      </div>
      {error !== null && <p className="form-error" role="alert">{errorMessage(error, t)}</p>}
      <p className="status" role="status">{status}</p>
    </section>
  );
}
