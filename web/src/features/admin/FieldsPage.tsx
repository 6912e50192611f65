// Administration → an entity's fields: every attribute with its type and flags; adding a field,
// editing a field's labels (and a custom field's options), deleting a custom field (forced when
// it holds data); below, its alternate keys and N:N relationships (ModelLinks).
import { useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { entityLabel, entityPluralLabel, label, setName, useEntities } from '../../api/metadata';
import type { AttributeDefinition } from '../../api/types';
import { AdminOnly } from './AdminOnly';
import { ConfirmDelete } from './ConfirmDelete';
import { FieldForm } from './FieldForm';
import { isCustomAttribute } from './designer';
import { afterModelChange, deleteAttribute } from './metadataApi';
import { AlternateKeys, Relationships } from './ModelLinks';

export default function FieldsPage() {
  return (
    <AdminOnly>
      <Fields />
    </AdminOnly>
  );
}

function Fields() {
  const { name = '' } = useParams();
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const qc = useQueryClient();
  const entities = useEntities();
  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<AttributeDefinition | null>(null);
  const [status, setStatus] = useState('');

  if (entities.isPending) return <p className="loading" role="status">{t('common.loading')}</p>;
  if (entities.isError) return <p className="form-error" role="alert">{t('errors.metadata')}</p>;
  const entity = entities.data.find((e) => e.name === name);
  if (!entity) return <p className="form-error" role="alert">{t('admin.entities.unknown', { name })}</p>;
  const attrs = entity.attributes ?? [];
  const edited = attrs.find((a) => a.name === editing);
  const yes = (b: boolean | undefined) => (b ? t('common.yes') : <span className="muted">{t('common.no')}</span>);

  return (
    <section className="designer" aria-labelledby="fields-title">
      <nav aria-label={t('record.breadcrumb')} className="crumbs">
        <Link to="/admin">{t('admin.entities.title')}</Link>
      </nav>
      <div className="page-head">
        <h1 id="fields-title">{t('admin.fields.title', { entity: entityLabel(entity, lang) })}</h1>
        <span className="head-links">
          <Link to={`/${setName(entity)}`}>{t('admin.fields.openList', { entity: entityPluralLabel(entity, lang) })}</Link>
          {!adding && <button type="button" onClick={() => { setAdding(true); setEditing(null); }}>{t('admin.fields.new')}</button>}
        </span>
      </div>
      <p className="status" role="status">{status}</p>
      {adding && (
        <FieldForm
          entity={entity}
          entities={entities.data}
          onCancel={() => setAdding(false)}
          onDone={(n) => {
            setAdding(false);
            setStatus(t('admin.fields.added', { field: n }));
          }}
        />
      )}
      {edited && (
        <FieldForm
          key={edited.name}
          entity={entity}
          entities={entities.data}
          attr={edited}
          custom={isCustomAttribute(entity, edited)}
          onCancel={() => setEditing(null)}
          onDone={(n) => {
            setEditing(null);
            setStatus(t('admin.fields.saved', { field: n }));
          }}
        />
      )}
      <div className="table-scroll small">
        <table>
          <caption className="sr-only">{t('admin.fields.title', { entity: entityLabel(entity, lang) })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('admin.fields.label')}</th>
              <th scope="col">{t('admin.fields.name')}</th>
              <th scope="col">{t('admin.fields.type')}</th>
              <th scope="col">{t('admin.fields.required')}</th>
              <th scope="col">{t('admin.fields.unique')}</th>
              <th scope="col">{t('admin.fields.secured')}</th>
              <th scope="col">{t('admin.entities.kind')}</th>
              <th scope="col"><span className="sr-only">{t('admin.actions')}</span></th>
            </tr>
          </thead>
          <tbody>
            {attrs.map((a) => {
              const custom = isCustomAttribute(entity, a);
              const caption = label(a.display_name, lang, a.name);
              return (
                <tr key={a.name}>
                  <th scope="row">
                    {caption}
                    {a.name === entity.primary_name && <span className="badge">{t('admin.fields.primary')}</span>}
                  </th>
                  <td className="mono">{a.name}</td>
                  <td className="wrap">
                    {t(`admin.types.${a.type}`)}
                    {a.type === 'lookup' && a.target && <span className="muted"> → {a.target}</span>}
                  </td>
                  <td>{yes(a.required)}</td>
                  <td>{yes(a.unique)}</td>
                  <td>{yes(a.secured)}</td>
                  <td>{custom ? <span className="badge">{t('admin.custom')}</span> : t('admin.system')}</td>
                  <td className="row-actions">
                    <button type="button" className="link" onClick={() => { setEditing(a.name); setAdding(false); }}>
                      {t('admin.edit')}<span className="sr-only"> {caption}</span>
                    </button>
                    {custom && a.name !== entity.primary_name && (
                      <button type="button" className="link danger-text" onClick={() => setDeleting(a)}>
                        {t('admin.delete.label')}<span className="sr-only"> {caption}</span>
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <AlternateKeys entity={entity} />
      <Relationships entity={entity} entities={entities.data} />
      {deleting && (
        <ConfirmDelete
          title={t('admin.fields.deleteTitle', { field: label(deleting.display_name, lang, deleting.name) })}
          text={t('admin.fields.deleteText')}
          forceText={t('admin.fields.forceWhat', { entity: entityPluralLabel(entity, lang) })}
          onClose={() => setDeleting(null)}
          onDelete={async (force) => {
            await deleteAttribute(entity.name, deleting.name, force);
            setStatus(t('admin.fields.deleted', { field: label(deleting.display_name, lang, deleting.name) }));
            if (editing === deleting.name) setEditing(null);
            await afterModelChange(qc);
          }}
        />
      )}
    </section>
  );
}
