// A record's page (and the page of a new record): header with the primary name and a form with
// one editor per attribute. Save sends only what changed, with If-Match; errors from the API are
// shown next to the fields at fault and what the user typed stays.
import { useEffect, useMemo, useState } from 'react';
import type { FormEvent } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { ApiError, api } from '../../api/client';
import { entityLabel, entityPluralLabel, navName, primaryName, setName, useEntities, useEntity } from '../../api/metadata';
import { recordPath } from '../../api/odata';
import type { AttributeDefinition, EntityRecord } from '../../api/types';
import { FieldEditor } from './FieldEditor';
import { mapErrors } from './errors';
import type { FieldMessage, MappedErrors } from './errors';
import { draftOf, payloadOf } from './fields';
import type { Draft, DraftValue } from './fields';
import { formatDateTime, formatValue } from './format';
import { RecordPanels } from '../related/RecordPanels';
import { auditKey } from '../related/AuditHistory';
import { SharePanel } from '../sharing/SharePanel';
import { ProcessBar } from '../process/ProcessBar';
import { isClosed } from '../process/process';
import { KnowledgePanel } from '../knowledge/KnowledgePanel';
import { FieldValue } from '../../plugins/FieldValue';
import { CommandMenu } from '../../plugins/CommandMenu';
import { usePlugins } from '../../plugins';
import { rendererFor } from '../../plugins/registry';
import { timelineKey } from '../related/Timeline';
import { DuplicatesPanel } from '../dedupe/DuplicatesPanel';
import { dedupeEntities, duplicatesOf } from '../dedupe/dedupe';

/** The page is keyed by the route (see routes.tsx), so a new record or id starts a fresh form. */
export default function RecordPage() {
  const { set = '', id } = useParams();
  const isNew = id === undefined;
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const navigate = useNavigate();
  const [search] = useSearchParams();
  const qc = useQueryClient();
  const { entity, isPending: metaPending } = useEntity(set);
  const all = useEntities();
  const pluginState = usePlugins();
  const attrs: AttributeDefinition[] = useMemo(() => entity?.attributes ?? [], [entity]);

  const lookups = attrs.filter((a) => a.type === 'lookup' && a.target && a.target !== '*');
  const expand = lookups.flatMap((a) => {
    const target = all.data?.find((e) => e.name === a.target);
    return target ? [`${a.name}($select=${primaryName(target)})`] : [];
  });
  const record = useQuery({
    queryKey: ['record', set, id, expand.join(',')],
    enabled: !!entity && !isNew && !!all.data,
    queryFn: async () => {
      const r = await api<EntityRecord>(`${recordPath(set, id!)}${expand.length ? `?$expand=${encodeURIComponent(expand.join(','))}` : ''}`);
      return { record: r.data, etag: r.etag ?? r.data['@odata.etag'] ?? null };
    },
  });

  const [draft, setDraft] = useState<Draft | null>(null);
  const [initial, setInitial] = useState<Draft | undefined>(undefined);
  const [etag, setEtag] = useState<string | null>(null);
  const [errors, setErrors] = useState<MappedErrors>({ fields: {}, general: [] });
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState(false);
  const [refreshed, setRefreshed] = useState(0); // plugins' panels render again after a refresh

  // Start the form from the record once (a refetch does not overwrite what is being typed).
  useEffect(() => {
    if (!entity) return;
    if (isNew) {
      const d = draftOf(attrs, undefined);
      // A new record opened from a related list starts linked: /contacts/new?account_id=<id>.
      for (const a of attrs) {
        const v = search.get(a.name);
        if (v !== null && typeof d[a.name] === 'string') d[a.name] = v;
      }
      setDraft(d);
      setInitial(undefined);
    } else if (record.data && draft === null) {
      const d = draftOf(attrs, record.data.record);
      setDraft(d);
      setInitial(d);
      setEtag(record.data.etag);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [entity, isNew, record.data]);

  if (metaPending || (!isNew && record.isPending)) return <p className="loading" role="status">{t('common.loading')}</p>;
  if (!entity) return <p className="form-error" role="alert">{t('list.unknown', { set })}</p>;
  if (!isNew && record.isError) {
    const nf = record.error instanceof ApiError && record.error.status === 404;
    return <p className="form-error" role="alert">{nf ? t('record.notFound') : t('errors.load')}</p>;
  }
  if (!draft) return <p className="loading" role="status">{t('common.loading')}</p>;

  const primary = primaryName(entity);
  const r = record.data?.record;
  const title = isNew
    ? t('record.newTitle', { entity: entityLabel(entity, lang) })
    : String(draftTitle(initial?.[primary]) || t('list.untitled'));

  const change = (name: string, v: DraftValue) => {
    setDraft((d) => ({ ...(d ?? {}), [name]: v }));
    setSaved(false);
  };

  const save = async (ev: FormEvent) => {
    ev.preventDefault();
    const { body, errors: local } = payloadOf(attrs, draft, isNew ? undefined : initial);
    if (Object.keys(local).length > 0) {
      const fields: Record<string, FieldMessage[]> = {};
      for (const [k, code] of Object.entries(local)) fields[k] = [{ code, message: code }];
      setErrors({ fields, general: [] });
      focusFirstError();
      return;
    }
    setSaving(true);
    setErrors({ fields: {}, general: [] });
    try {
      if (isNew) {
        const res = await api<EntityRecord>(setName(entity), { method: 'POST', body, headers: { Prefer: 'return=representation' } });
        await qc.invalidateQueries({ queryKey: ['list'] });
        await qc.invalidateQueries({ queryKey: ['related'] });
        // The new record's page warns of the possible duplicates the create answered with.
        navigate(`/${set}/${encodeURIComponent(String(res.data.id))}`, { replace: true, state: { duplicates: duplicatesOf(res.data) } });
        return;
      }
      if (Object.keys(body).length === 0) {
        setSaved(true);
        return;
      }
      const headers: Record<string, string> = { Prefer: 'return=representation' };
      if (etag) headers['If-Match'] = etag;
      const res = await api<EntityRecord>(recordPath(set, id!), { method: 'PATCH', body, headers });
      const next = draftOf(attrs, res.data);
      setDraft(next);
      setInitial(next);
      setEtag(res.etag ?? res.data['@odata.etag'] ?? null);
      setSaved(true);
      // The cached record is the saved one now, with its new ETag, for the next visit.
      qc.setQueryData(['record', set, id, expand.join(',')], { record: res.data, etag: res.etag ?? res.data['@odata.etag'] ?? null });
      await qc.invalidateQueries({ queryKey: ['list'] });
      await qc.invalidateQueries({ queryKey: auditKey(id!) });
    } catch (e) {
      const m = mapErrors(e, attrs.map((a) => a.name));
      setErrors(m);
      focusFirstError();
    } finally {
      setSaving(false);
    }
  };

  const reload = async () => {
    setErrors({ fields: {}, general: [] });
    const res = await record.refetch();
    if (res.data) {
      const d = draftOf(attrs, res.data.record);
      setDraft(d);
      setInitial(d);
      setEtag(res.data.etag);
    }
  };

  // What plugins' panels and commands call to show fresh data: the record, its related lists,
  // timeline and history are read again (the form keeps what is being typed).
  const refresh = async () => {
    await Promise.all([
      qc.invalidateQueries({ queryKey: ['record', set, id] }),
      qc.invalidateQueries({ queryKey: ['related', set, id] }),
      qc.invalidateQueries({ queryKey: timelineKey(id!) }),
      qc.invalidateQueries({ queryKey: auditKey(id!) }),
    ]);
    setRefreshed((n) => n + 1);
  };

  const conflict = errors.general.some((g) => g.code === 'etag_mismatch');
  // A closed record (a resolved case, a won opportunity, a qualified lead) changes only through
  // its reopen action: the form shows it read-only, without Save.
  const closed = !!r && isClosed(entity.name, r);
  const dirty = !isNew && Object.keys(payloadOf(attrs, draft, initial).body).length > 0;
  return (
    <article className="record-page" aria-labelledby="record-title">
      <nav aria-label={t('record.breadcrumb')} className="crumbs">
        <Link to={`/${set}`}>{entityPluralLabel(entity, lang)}</Link>
      </nav>
      <header className="page-head">
        <h1 id="record-title">{title}</h1>
        {!isNew && <span className="muted">{entityLabel(entity, lang)}</span>}
        {r && <CommandMenu entity={entity.name} set={set} id={id!} record={r} refresh={refresh} />}
      </header>
      {r && <ProcessBar entity={entity} set={set} id={id!} record={r} etag={etag} dirty={dirty} onChanged={reload} />}
      <form onSubmit={save} noValidate aria-label={title}>
        {errors.general.length > 0 && (
          <div className="form-error" role="alert">
            <ul>
              {errors.general.map((g, i) => (
                <li key={i}>{t(`errors.${g.code}`, { defaultValue: g.message })}</li>
              ))}
            </ul>
            {conflict && (
              <button type="button" className="secondary" onClick={() => void reload()}>{t('record.reload')}</button>
            )}
          </div>
        )}
        <div className="form-grid">
          {attrs.map((a) => {
            const nav = r && a.type === 'lookup' ? (r[navName(a)] as EntityRecord | undefined) : undefined;
            const target = nav ? all.data?.find((e) => e.name === a.target) : undefined;
            const name = nav && target && draft[a.name] === initial?.[a.name] ? (nav[primaryName(target)] as string | undefined) : undefined;
            // A plugin's field renderer shows the saved value under the editor.
            const extra = r && rendererFor(pluginState, entity.name, a)
              ? <FieldValue entity={entity.name} attr={a} record={r} formatted={formatValue(a, r, lang, [t('common.yes'), t('common.no')], name)} place="record" />
              : undefined;
            return <FieldEditor key={a.name} attr={a} draft={draft} onChange={change} errors={errors.fields[a.name]} lookupName={name} extra={extra} locked={closed} />;
          })}
        </div>
        <div className="actions sticky">
          <span className="status" role="status">{saved ? t('record.saved') : closed ? t('record.closed') : ''}</span>
          <Link to={`/${set}`} className="button secondary">{closed ? t('record.back') : t('common.cancel')}</Link>
          {!closed && <button type="submit" disabled={saving}>{saving ? t('common.working') : t('common.save')}</button>}
        </div>
      </form>
      {r && (
        <dl className="system">
          <dt>{t('record.createdAt')}</dt>
          <dd>{r.created_at ? formatDateTime(String(r.created_at), lang) : ''}</dd>
          <dt>{t('record.modifiedAt')}</dt>
          <dd>{r.modified_at ? formatDateTime(String(r.modified_at), lang) : ''}</dd>
        </dl>
      )}
      {r && entity.name === 'case' && <KnowledgePanel caseID={id!} />}
      {r && dedupeEntities.includes(entity.name) && <DuplicatesPanel entity={entity} set={set} id={id!} record={r} />}
      {r && all.data && <RecordPanels entity={entity} all={all.data} set={set} id={id!} record={r} refresh={refresh} refreshed={refreshed} />}
      {r && entity.ownership !== 'organization' && <SharePanel entity={entity.name} set={set} id={id!} onAssigned={reload} />}
    </article>
  );
}

function draftTitle(v: DraftValue | undefined): string {
  return typeof v === 'string' ? v : '';
}

function focusFirstError() {
  setTimeout(() => {
    const el = document.querySelector<HTMLElement>('[aria-invalid="true"]');
    el?.focus();
  }, 0);
}
