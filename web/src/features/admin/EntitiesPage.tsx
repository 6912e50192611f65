// Administration → Entities: every entity (system and custom) with its names in both languages,
// its fields and records; creating a custom entity; deleting one (forced when it holds records).
import { useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { api } from '../../api/client';
import { entityLabel, setName, useEntities } from '../../api/metadata';
import type { EntityDefinition } from '../../api/types';
import { AdminOnly } from './AdminOnly';
import { ConfirmDelete } from './ConfirmDelete';
import { EntityForm } from './EntityForm';
import { afterModelChange, deleteEntity } from './metadataApi';

/** The number of records of a set ($top=0&$count=true: one cheap request per row). */
function RecordCount({ e }: { e: EntityDefinition }) {
  const { i18n } = useTranslation();
  const q = useQuery({
    queryKey: ['list', 'count', setName(e)],
    queryFn: async () => (await api<{ '@odata.count'?: number }>(`${setName(e)}?$top=0&$count=true`)).data['@odata.count'],
    staleTime: 60_000,
    retry: false,
  });
  if (q.data === undefined) return <span className="muted">—</span>;
  return <>{q.data.toLocaleString(i18n.language.startsWith('zh') ? 'zh-CN' : 'en-US')}</>;
}

export default function EntitiesPage() {
  return (
    <AdminOnly>
      <Entities />
    </AdminOnly>
  );
}

function Entities() {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const qc = useQueryClient();
  const navigate = useNavigate();
  const entities = useEntities();
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<EntityDefinition | null>(null);
  const [status, setStatus] = useState('');

  if (entities.isPending) return <p className="loading" role="status">{t('common.loading')}</p>;
  if (entities.isError) return <p className="form-error" role="alert">{t('errors.metadata')}</p>;
  const sorted = [...entities.data].sort((a, b) => Number(!!b.custom) - Number(!!a.custom) || entityLabel(a, lang).localeCompare(entityLabel(b, lang), lang));

  return (
    <section className="designer" aria-labelledby="entities-title">
      <p className="crumbs muted">{t('admin.title')}</p>
      <div className="page-head">
        <h1 id="entities-title">{t('admin.entities.title')}</h1>
        {!creating && <button type="button" onClick={() => setCreating(true)}>{t('admin.entities.new')}</button>}
      </div>
      <p className="status" role="status">{status}</p>
      {creating && (
        <EntityForm
          onCancel={() => setCreating(false)}
          onDone={(name) => {
            setCreating(false);
            navigate(`/admin/entities/${name}`);
          }}
        />
      )}
      <div className="table-scroll small">
        <table>
          <caption className="sr-only">{t('admin.entities.title')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('admin.displayEn')}</th>
              <th scope="col">{t('admin.displayZh')}</th>
              <th scope="col">{t('admin.entities.name')}</th>
              <th scope="col">{t('admin.entities.kind')}</th>
              <th scope="col" className="num">{t('admin.entities.fields')}</th>
              <th scope="col" className="num">{t('admin.entities.records')}</th>
              <th scope="col"><span className="sr-only">{t('admin.actions')}</span></th>
            </tr>
          </thead>
          <tbody>
            {sorted.map((e) => (
              <tr key={e.name}>
                <th scope="row">
                  <Link to={`/admin/entities/${e.name}`}>{e.display_name?.en || e.name}</Link>
                </th>
                <td lang="zh-CN">{e.display_name?.zh ?? ''}</td>
                <td className="mono">{e.name} <span className="muted">/{setName(e)}</span></td>
                <td>{e.custom ? <span className="badge">{t('admin.custom')}</span> : t('admin.system')}</td>
                <td className="num">{e.attributes?.length ?? 0}</td>
                <td className="num"><RecordCount e={e} /></td>
                <td className="row-actions">
                  {e.custom && (
                    <button type="button" className="link danger-text" onClick={() => setDeleting(e)}>
                      {t('admin.delete.label')}<span className="sr-only"> {entityLabel(e, lang)}</span>
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {deleting && (
        <ConfirmDelete
          title={t('admin.entities.deleteTitle', { entity: entityLabel(deleting, lang) })}
          text={t('admin.entities.deleteText')}
          forceText={t('admin.entities.forceWhat', { entity: entityLabel(deleting, lang) })}
          onClose={() => setDeleting(null)}
          onDelete={async (force) => {
            await deleteEntity(deleting.name, force);
            setStatus(t('admin.entities.deleted', { entity: entityLabel(deleting, lang) }));
            await afterModelChange(qc);
          }}
        />
      )}
    </section>
  );
}
