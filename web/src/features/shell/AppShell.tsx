// The frame around every signed-in page: header, entity navigation from metadata, main content.
import { Suspense, useEffect, useRef, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, NavLink, Navigate, Outlet, useLocation, useNavigate } from 'react-router';
import { entityPluralLabel, setName, useEntities } from '../../api/metadata';
import { useIsAdmin } from '../admin/access';
import { signOut, useMe } from '../auth/session';
import { GlobalSearch } from '../search/GlobalSearch';
import { LanguageSwitch } from './LanguageSwitch';
import { adoptLanguage } from './language';
import { loadPlugins } from '../../plugins';

export function AppShell() {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const entities = useEntities();
  const admin = useIsAdmin(!!me.data);
  const location = useLocation();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [navOpen, setNavOpen] = useState(false);

  useEffect(() => setNavOpen(false), [location.pathname]); // close the phone menu on navigation
  const signedIn = !!me.data;
  useEffect(() => {
    if (signedIn) void loadPlugins(); // once per page; a failing plugin is logged and left out
  }, [signedIn]);
  const userId = me.data?.user_id;
  useEffect(() => {
    if (me.data) void adoptLanguage(me.data, qc); // the person's language, once per sign-in
  }, [userId]);

  if (me.isPending) return <p className="loading" role="status">{t('common.loading')}</p>;
  if (me.data === null || me.isError) {
    return <Navigate to={`/signin?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;
  }
  const lang = i18n.language;
  const sorted = [...(entities.data ?? [])].sort((a, b) => entityPluralLabel(a, lang).localeCompare(entityPluralLabel(b, lang), lang));

  const out = async () => {
    try {
      await signOut();
    } finally {
      qc.clear();
      navigate('/signin', { replace: true });
    }
  };

  return (
    <div className={`shell${navOpen ? ' nav-open' : ''}`}>
      <a href="#main" className="skip">{t('shell.skip')}</a>
      <header className="topbar" role="banner">
        <button
          type="button"
          className="menu-button"
          aria-expanded={navOpen}
          aria-controls="entity-nav"
          onClick={() => setNavOpen((o) => !o)}
        >
          <span aria-hidden="true">☰</span>
          <span className="sr-only">{t('shell.menu')}</span>
        </button>
        <NavLink to="/" className="brand">Meridian</NavLink>
        <GlobalSearch />
        <div className="topbar-right">
          <LanguageSwitch signedIn />
          <UserMenu name={me.data?.name ?? ''} onSignOut={() => void out()} />
        </div>
      </header>
      <nav id="entity-nav" className="sidenav" aria-label={t('shell.navigation')}>
        <h2 className="nav-title">{t('shell.workspace')}</h2>
        <ul>
          <li><NavLink to="/" end>{t('shell.home')}</NavLink></li>
          <li><NavLink to="/pipeline">{t('shell.pipeline')}</NavLink></li>
          <li><NavLink to="/forecast">{t('shell.forecast')}</NavLink></li>
          <li><NavLink to="/queue">{t('shell.queue')}</NavLink></li>
        </ul>
        <h2 className="nav-title">{t('shell.entities')}</h2>
        {entities.isPending && <p className="muted">{t('common.loading')}</p>}
        {entities.isError && <p className="form-error" role="alert">{t('errors.metadata')}</p>}
        <ul>
          {sorted.map((e) => (
            <li key={e.name}>
              <NavLink to={`/${setName(e)}`}>{entityPluralLabel(e, lang)}</NavLink>
            </li>
          ))}
        </ul>
        {admin.isAdmin && (
          <>
            <h2 className="nav-title">{t('shell.admin')}</h2>
            <ul>
              <li><NavLink to="/admin" end>{t('shell.designer')}</NavLink></li>
              <li><NavLink to="/admin/roles">{t('shell.roles')}</NavLink></li>
              <li><NavLink to="/admin/units">{t('shell.units')}</NavLink></li>
              <li><NavLink to="/admin/users">{t('shell.users')}</NavLink></li>
              <li><NavLink to="/admin/teams">{t('shell.teams')}</NavLink></li>
              <li><NavLink to="/queues">{t('shell.queues')}</NavLink></li>
              <li><NavLink to="/assignment_rules">{t('shell.assignmentRules')}</NavLink></li>
              <li><NavLink to="/sla_policies">{t('shell.slaPolicies')}</NavLink></li>
              <li><NavLink to="/admin/field-profiles">{t('shell.fieldProfiles')}</NavLink></li>
              <li><NavLink to="/admin/jobs">{t('shell.jobs')}</NavLink></li>
            </ul>
          </>
        )}
      </nav>
      <main id="main" className="content" tabIndex={-1}>
        <Suspense fallback={<p className="loading" role="status">{t('common.loading')}</p>}>
          <Outlet />
        </Suspense>
      </main>
    </div>
  );
}

/**
 * The signed-in person's menu (a disclosure button with their name; "Account" on phones): Change
 * password and Sign out. It closes on a choice, on Escape (focus back on the button) and on a
 * click elsewhere.
 */
function UserMenu({ name, onSignOut }: { name: string; onSignOut: () => void }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const location = useLocation();
  useEffect(() => setOpen(false), [location.pathname]);
  useEffect(() => {
    if (!open) return;
    const away = (e: MouseEvent) => {
      if (!box.current?.contains(e.target as Node)) setOpen(false);
    };
    const esc = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      setOpen(false);
      button.current?.focus();
    };
    document.addEventListener('mousedown', away);
    document.addEventListener('keydown', esc);
    return () => {
      document.removeEventListener('mousedown', away);
      document.removeEventListener('keydown', esc);
    };
  }, [open]);
  return (
    <div className="user-menu" ref={box}>
      <button
        ref={button}
        type="button"
        className="secondary"
        aria-label={t('shell.accountMenu', { name })}
        aria-expanded={open}
        aria-controls="user-menu-list"
        title={name}
        onClick={() => setOpen((o) => !o)}
      >
        <span className="user">{name}</span>
        <span className="user-short" aria-hidden="true">{t('shell.account')}</span>
        <span className="caret" aria-hidden="true">▾</span>
      </button>
      {open && (
        <ul id="user-menu-list" className="user-menu-list">
          <li><Link to="/account/password">{t('shell.changePassword')}</Link></li>
          <li><button type="button" className="link" onClick={onSignOut}>{t('shell.signOut')}</button></li>
        </ul>
      )}
    </div>
  );
}
