// An entity's alternate keys and N:N relationships on its fields page: listed, added and removed
// through the metadata API (PATCH …/entities/{name} {"alternate_keys"}, POST/DELETE
// …/relationships). Keys of system entities are fixed by the server and shown read-only.
import { useState } from 'react';
import type { FormEvent } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ApiError, api } from '../../api/client';
import { entityLabel, label } from '../../api/metadata';
import type { EntityDefinition } from '../../api/types';
import type { components } from '../../api/schema';
import { afterModelChange } from './metadataApi';

type AlternateKey = components['schemas']['AlternateKey'];
type Relationship = components['schemas']['RelationshipDefinition'];

/** Attribute types the server accepts in a key (metadata/validate.go). */
export const KEY_TYPES = new Set(['string', 'integer', 'autonumber', 'email', 'phone', 'lookup', 'date', 'choice']);
const SNAKE = /^[a-z][a-z0-9_]*$/;
const RELATIONSHIPS_KEY = ['metadata', 'relationships'] as const;

function failure(e: unknown, t: (k: string, o?: Record<string, unknown>) => string): string {
  if (e instanceof ApiError) {
    const d = e.details[0];
    return t(`errors.${d?.code ?? e.code}`, { defaultValue: d?.message ?? e.message, field: d?.target ?? e.target ?? '' });
  }
  return t('errors.load');
}

export function AlternateKeys({ entity }: { entity: EntityDefinition }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const qc = useQueryClient();
  const keys: AlternateKey[] = entity.alternate_keys ?? [];
  const custom = !!entity.custom;
  const eligible = (entity.attributes ?? []).filter((a) => KEY_TYPES.has(a.type));
  const [name, setName] = useState('');
  const [picked, setPicked] = useState<string[]>([]);
  const [error, setError] = useState('');
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);
  const caption = (n: string) => label(entity.attributes?.find((a) => a.name === n)?.display_name, lang, n);

  const save = async (next: AlternateKey[], done: string) => {
    setBusy(true);
    setError('');
    try {
      await api(`metadata/entities/${encodeURIComponent(entity.name)}`, { method: 'PATCH', body: { alternate_keys: next } });
      await afterModelChange(qc);
      setStatus(done);
      return true;
    } catch (e) {
      setError(failure(e, t));
      return false;
    } finally {
      setBusy(false);
    }
  };

  const add = async (ev: FormEvent) => {
    ev.preventDefault();
    if (!SNAKE.test(name)) return setError(t('admin.keys.badName'));
    if (picked.length === 0) return setError(t('admin.keys.pick'));
    if (await save([...keys, { name, attributes: picked }], t('admin.keys.added', { name }))) {
      setName('');
      setPicked([]);
    }
  };

  return (
    <section className="panel" aria-labelledby="keys-title">
      <h2 id="keys-title">{t('admin.keys.title')}</h2>
      <p className="status" role="status">{status}</p>
      {keys.length === 0 ? <p className="muted">{t('admin.keys.none')}</p> : (
        <ul className="plain-list">
          {keys.map((k) => (
            <li key={k.name}>
              <span className="mono">{k.name}</span>: {k.attributes.map(caption).join(' + ')}
              {custom && (
                <button type="button" className="link danger-text" disabled={busy}
                  onClick={() => void save(keys.filter((x) => x.name !== k.name), t('admin.keys.removed', { name: k.name }))}>
                  {t('admin.keys.remove')}<span className="sr-only"> {k.name}</span>
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {!custom ? <p className="muted">{t('admin.keys.system')}</p> : (
        <form onSubmit={(e) => void add(e)} aria-label={t('admin.keys.new')} noValidate className="model-form">
          <label htmlFor="key-name">{t('admin.keys.name')}</label>
          <input id="key-name" className="mono" value={name} onChange={(e) => setName(e.target.value)} placeholder="code" aria-invalid={!!error || undefined} aria-describedby={error ? 'key-error' : undefined} />
          <fieldset>
            <legend>{t('admin.keys.attributes')}</legend>
            {eligible.map((a) => (
              <label key={a.name} className="check">
                <input type="checkbox" checked={picked.includes(a.name)}
                  onChange={(e) => setPicked((p) => (e.target.checked ? [...p, a.name] : p.filter((x) => x !== a.name)))} />
                {label(a.display_name, lang, a.name)}
              </label>
            ))}
          </fieldset>
          {error && <p id="key-error" className="form-error" role="alert">{error}</p>}
          <button type="submit" disabled={busy}>{busy ? t('common.working') : t('admin.keys.new')}</button>
        </form>
      )}
      <p className="muted small">{t('admin.keys.hint', { entity: entityLabel(entity, lang) })}</p>
    </section>
  );
}

export function Relationships({ entity, entities }: { entity: EntityDefinition; entities: EntityDefinition[] }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const qc = useQueryClient();
  const rels = useQuery({
    queryKey: RELATIONSHIPS_KEY,
    queryFn: async () => (await api<{ value: Relationship[] }>('metadata/relationships')).data.value,
  });
  const mine = (rels.data ?? []).filter((r) => r.entity1 === entity.name || r.entity2 === entity.name);
  const others = entities.filter((e) => !e.union?.length).sort((a, b) => entityLabel(a, lang).localeCompare(entityLabel(b, lang), lang));
  const [form, setForm] = useState({ name: '', other: '', nav1: '', nav2: '' });
  const [error, setError] = useState('');
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);
  const byName = (n: string) => entities.find((e) => e.name === n);
  const set = (k: keyof typeof form) => (v: string) => setForm((f) => ({ ...f, [k]: v }));

  const changed = async (done: string) => {
    await qc.invalidateQueries({ queryKey: RELATIONSHIPS_KEY });
    await afterModelChange(qc);
    setStatus(done);
  };

  const add = async (ev: FormEvent) => {
    ev.preventDefault();
    setError('');
    if (![form.name, form.nav1, form.nav2].every((s) => SNAKE.test(s))) return setError(t('admin.relationships.badName'));
    if (!form.other) return setError(t('admin.relationships.pickEntity'));
    setBusy(true);
    try {
      await api('metadata/relationships', {
        method: 'POST',
        body: { name: form.name, entity1: entity.name, entity2: form.other, nav1: form.nav1, nav2: form.nav2 },
      });
      await changed(t('admin.relationships.added', { name: form.name }));
      setForm({ name: '', other: '', nav1: '', nav2: '' });
    } catch (e) {
      setError(failure(e, t));
    } finally {
      setBusy(false);
    }
  };

  const remove = async (r: Relationship) => {
    setBusy(true);
    setError('');
    try {
      await api(`metadata/relationships/${encodeURIComponent(r.name)}`, { method: 'DELETE' });
      await changed(t('admin.relationships.removed', { name: r.name }));
    } catch (e) {
      setError(failure(e, t));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="panel" aria-labelledby="rels-title">
      <h2 id="rels-title">{t('admin.relationships.title')}</h2>
      <p className="status" role="status">{status}</p>
      {rels.isPending && <p className="muted">{t('common.loading')}</p>}
      {rels.isError && <p className="form-error" role="alert">{t('errors.load')}</p>}
      {rels.isSuccess && (mine.length === 0 ? <p className="muted">{t('admin.relationships.none')}</p> : (
        <ul className="plain-list">
          {mine.map((r) => {
            const here = r.entity1 === entity.name;
            const other = byName(here ? r.entity2 : r.entity1);
            return (
              <li key={r.name}>
                <span className="mono">{r.name}</span>: {t('admin.relationships.between', {
                  other: other ? entityLabel(other, lang) : (here ? r.entity2 : r.entity1),
                  nav: here ? r.nav1 : r.nav2,
                })}
                {r.custom && (
                  <button type="button" className="link danger-text" disabled={busy} onClick={() => void remove(r)}>
                    {t('admin.relationships.remove')}<span className="sr-only"> {r.name}</span>
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      ))}
      <form onSubmit={(e) => void add(e)} aria-label={t('admin.relationships.new')} noValidate className="model-form">
        <label htmlFor="rel-name">{t('admin.relationships.name')}</label>
        <input id="rel-name" className="mono" value={form.name} onChange={(e) => set('name')(e.target.value)} placeholder="project_members" />
        <label htmlFor="rel-other">{t('admin.relationships.other')}</label>
        <select id="rel-other" value={form.other} onChange={(e) => set('other')(e.target.value)}>
          <option value="">—</option>
          {others.map((e) => <option key={e.name} value={e.name}>{entityLabel(e, lang)}</option>)}
        </select>
        <label htmlFor="rel-nav1">{t('admin.relationships.nav1', { entity: entityLabel(entity, lang) })}</label>
        <input id="rel-nav1" className="mono" value={form.nav1} onChange={(e) => set('nav1')(e.target.value)} />
        <label htmlFor="rel-nav2">{t('admin.relationships.nav2', { entity: form.other && byName(form.other) ? entityLabel(byName(form.other)!, lang) : '…' })}</label>
        <input id="rel-nav2" className="mono" value={form.nav2} onChange={(e) => set('nav2')(e.target.value)} />
        {error && <p className="form-error" role="alert">{error}</p>}
        <button type="submit" disabled={busy}>{busy ? t('common.working') : t('admin.relationships.new')}</button>
      </form>
    </section>
  );
}
