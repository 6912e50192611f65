import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { entityPluralLabel, setName, useEntities } from '../../api/metadata';
import { useMe } from '../auth/session';

const FAVOURITES = ['account', 'contact', 'lead', 'opportunity', 'case', 'task'];

/** The start page: a greeting and the entities people open most. */
export default function Home() {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const entities = useEntities();
  const shown = (entities.data ?? []).filter((e) => FAVOURITES.includes(e.name) || e.custom);
  return (
    <section aria-labelledby="home-title">
      <h1 id="home-title">{t('home.welcome', { name: me.data?.name ?? '' })}</h1>
      <p className="muted">{t('home.intro')}</p>
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
