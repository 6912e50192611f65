import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../../api/client';
import { entityPluralLabel, primaryName, setName, useEntities } from '../../api/metadata';
import { listPath, literal } from '../../api/odata';
import type { EntityDefinition, EntityRecord, RecordPage } from '../../api/types';
import { useMe } from '../auth/session';
import { ownedBy } from '../pipeline/pipeline';
import { formatDate, formatDateTime, formatMoney, optionLabel } from '../records/format';

const FAVOURITES = ['account', 'contact', 'lead', 'opportunity', 'case', 'task'];
const TOP = 5;

/** The open work of one entity: its status values that count as open, and how to sort and describe it. */
interface WorkList {
  entity: string;
  title: 'home.tasks' | 'home.opportunities' | 'home.cases';
  /** Status options that are closed (the others, and no status, are open). */
  closed: string[];
  orderby: string;
  extra: string[];
}

const WORK: WorkList[] = [
  { entity: 'task', title: 'home.tasks', closed: ['completed', 'canceled'], orderby: 'due_at asc,created_at desc', extra: ['due_at'] },
  { entity: 'opportunity', title: 'home.opportunities', closed: ['won', 'lost'], orderby: 'close_date asc,name asc', extra: ['amount', 'close_date'] },
  { entity: 'case', title: 'home.cases', closed: ['resolved', 'canceled'], orderby: 'created_at desc', extra: ['priority'] },
];

/** The start page: the user's open tasks, opportunities and cases, and the lists people open most. */
export default function Home() {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const entities = useEntities();
  const shown = (entities.data ?? []).filter((e) => FAVOURITES.includes(e.name) || e.custom);
  return (
    <section aria-labelledby="home-title">
      <h1 id="home-title">{t('home.welcome', { name: me.data?.name ?? '' })}</h1>
      <h2 className="home-sub">{t('home.myWork')}</h2>
      <div className="my-work">
        {me.data &&
          WORK.map((w) => {
            const e = entities.data?.find((x) => x.name === w.entity);
            return e ? <MyOpen key={w.entity} w={w} entity={e} userId={me.data!.user_id} /> : null;
          })}
      </div>
      <h2 className="home-sub">{t('home.lists')}</h2>
      <ul className="cards">
        {shown.map((e) => (
          <li key={e.name}>
            <Link to={`/${setName(e)}`} className="card">{entityPluralLabel(e, i18n.language)}</Link>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** `status` is open: not one of the closed options (null counts as open). */
export function openFilter(entity: EntityDefinition, closed: string[]): string | undefined {
  const status = entity.attributes?.find((a) => a.name === 'status');
  if (!status) return undefined;
  const open = (status.options ?? []).map((o) => o.value).filter((v) => !closed.includes(v));
  return `(status eq null or status in (${open.map(literal).join(',')}))`;
}

function MyOpen({ w, entity, userId }: { w: WorkList; entity: EntityDefinition; userId: string }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const set = setName(entity);
  const primary = primaryName(entity);
  const has = (n: string) => entity.attributes?.some((a) => a.name === n);
  const filter = [ownedBy(userId), openFilter(entity, w.closed)].filter(Boolean).join(' and ');
  const path = listPath(set, {
    select: [primary, ...w.extra.filter(has)],
    filter,
    orderby: w.orderby,
    top: TOP,
    count: true,
  });
  const q = useQuery({
    queryKey: ['home', w.entity, userId],
    queryFn: async ({ signal }) => (await api<RecordPage>(path, { signal })).data,
  });
  const headingId = `home-${w.entity}`;
  const priority = entity.attributes?.find((a) => a.name === 'priority');
  const detail = (r: EntityRecord): string => {
    if (w.entity === 'task' && typeof r.due_at === 'string') return t('home.due', { when: formatDateTime(r.due_at, lang) });
    if (w.entity === 'opportunity') {
      const parts = [];
      if (r.amount !== null && r.amount !== undefined) parts.push(formatMoney(r.amount, r.amount_currency, lang));
      if (typeof r.close_date === 'string') parts.push(t('home.closes', { when: formatDate(r.close_date, lang) }));
      return parts.join(' · ');
    }
    if (priority && typeof r.priority === 'string') return optionLabel(priority, r.priority, lang);
    return '';
  };
  const rows = q.data?.value ?? [];
  const count = q.data?.['@odata.count'] ?? rows.length;
  return (
    <section className="panel" aria-labelledby={headingId}>
      <h2 id={headingId}>
        {t(w.title)}
        {q.isSuccess && <span className="count">({count})</span>}
      </h2>
      {q.isPending && <p className="muted">{t('common.loading')}</p>}
      {q.isError && <p className="form-error" role="alert">{t('errors.load')}</p>}
      {q.isSuccess && rows.length === 0 && <p className="muted">{t('home.nothing')}</p>}
      {rows.length > 0 && (
        <ul className="work-list">
          {rows.map((r) => (
            <li key={String(r.id)}>
              <Link to={`/${set}/${encodeURIComponent(String(r.id))}`}>{String(r[primary] ?? '') || t('list.untitled')}</Link>
              {detail(r) && <span className="muted"> {detail(r)}</span>}
            </li>
          ))}
        </ul>
      )}
      {count > rows.length && <p className="more muted">{t('home.shown', { shown: rows.length, count })}</p>}
    </section>
  );
}
