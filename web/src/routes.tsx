// Routes, each page loaded on demand (route-level code splitting).
import { lazy } from 'react';
import { createBrowserRouter, useParams } from 'react-router';
import { AppShell } from './features/shell/AppShell';

const SignIn = lazy(() => import('./features/auth/SignIn'));
const Home = lazy(() => import('./features/shell/Home'));
const ListPage = lazy(() => import('./features/records/ListPage'));
const RecordPage = lazy(() => import('./features/records/RecordPage'));
const NotFound = lazy(() => import('./features/shell/NotFound'));
const PipelineBoard = lazy(() => import('./features/pipeline/PipelineBoard'));
const ForecastPage = lazy(() => import('./features/forecast/ForecastPage'));
const CaseQueue = lazy(() => import('./features/service/CaseQueue'));
const SearchPage = lazy(() => import('./features/search/SearchPage'));
const ChangePasswordPage = lazy(() => import('./features/auth/ChangePasswordPage'));
// The designer: only administrators reach it, so nobody else downloads it.
const AdminEntities = lazy(() => import('./features/admin/EntitiesPage'));
const AdminFields = lazy(() => import('./features/admin/FieldsPage'));
const AdminRoles = lazy(() => import('./features/admin/RolesPage'));
const AdminRole = lazy(() => import('./features/admin/RolePage'));
const AdminUnits = lazy(() => import('./features/admin/UnitsPage'));
const AdminUsers = lazy(() => import('./features/admin/UsersPage'));
const AdminTeams = lazy(() => import('./features/admin/TeamsPage'));
const AdminTeam = lazy(() => import('./features/admin/TeamPage'));
const AdminFieldProfiles = lazy(() => import('./features/admin/FieldProfilesPage'));
const AdminFieldProfile = lazy(() => import('./features/admin/FieldProfilePage'));
const AdminJobs = lazy(() => import('./features/admin/JobsPage'));

function RecordRoute() {
  const { set, id } = useParams();
  return <RecordPage key={`${set}/${id ?? 'new'}`} />;
}

function ListRoute() {
  const { set } = useParams();
  return <ListPage key={set} />;
}

export const router = createBrowserRouter([
  { path: '/signin', element: <SignIn /> },
  {
    path: '/',
    element: <AppShell />,
    children: [
      { index: true, element: <Home /> },
      { path: 'pipeline', element: <PipelineBoard /> },
      { path: 'forecast', element: <ForecastPage /> },
      { path: 'queue', element: <CaseQueue /> },
      { path: 'search', element: <SearchPage /> },
      { path: 'account/password', element: <ChangePasswordPage /> },
      { path: 'admin', element: <AdminEntities /> },
      { path: 'admin/entities/:name', element: <AdminFields /> },
      { path: 'admin/roles', element: <AdminRoles /> },
      { path: 'admin/roles/:id', element: <AdminRole /> },
      { path: 'admin/units', element: <AdminUnits /> },
      { path: 'admin/users', element: <AdminUsers /> },
      { path: 'admin/teams', element: <AdminTeams /> },
      { path: 'admin/teams/:id', element: <AdminTeam /> },
      { path: 'admin/field-profiles', element: <AdminFieldProfiles /> },
      { path: 'admin/jobs', element: <AdminJobs /> },
      { path: 'admin/field-profiles/:id', element: <AdminFieldProfile /> },
      { path: ':set', element: <ListRoute /> },
      { path: ':set/new', element: <RecordRoute /> },
      { path: ':set/:id', element: <RecordRoute /> },
      { path: '*', element: <NotFound /> },
    ],
  },
]);
