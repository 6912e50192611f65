// Administration → Business units: the unit tree (nested lists, built from the flat records by
// parent_business_unit_id), a unit created under a chosen parent, a unit renamed in place.
import { useState } from 'react';
import type { FormEvent } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../records/errors';
import { AdminOnly } from './AdminOnly';
import { UNITS_KEY, buildTree, createUnit, listUnits, renameUnit } from './org';
import { UnitOptions } from './UnitOptions';
import type { Unit, UnitNode } from './org';

export default function UnitsPage() {
  return (
    <AdminOnly>
      <Units />
    </AdminOnly>
  );
}

function Units() {
  const { t, i18n } = useTranslation();
  const units = useQuery({ queryKey: UNITS_KEY, queryFn: listUnits });
  const tree = buildTree(units.data ?? [], i18n.language);
  const [parent, setParent] = useState<string | null>(null); // the new-unit form, under this parent
  const [renaming, setRenaming] = useState<string | null>(null);
  const [status, setStatus] = useState('');

  const node = (n: UnitNode) => (
    <li key={n.unit.id}>
      <div className="unit-row">
        {renaming === n.unit.id ? (
          <RenameForm unit={n.unit} onDone={(ok) => { setRenaming(null); if (ok) setStatus(t('org.renamed')); }} />
        ) : (
          <>
            <span className="unit-name">{n.unit.name}</span>
            <span className="row-actions">
              <button type="button" className="link" aria-label={t('org.newUnitUnder', { unit: n.unit.name })} onClick={() => { setParent(n.unit.id); setStatus(''); }}>
                {t('org.newUnit')}
              </button>
              <button type="button" className="link" aria-label={t('org.renameUnit', { unit: n.unit.name })} onClick={() => { setRenaming(n.unit.id); setStatus(''); }}>
                {t('org.rename')}
              </button>
            </span>
          </>
        )}
      </div>
      {n.children.length > 0 && <ul>{n.children.map(node)}</ul>}
    </li>
  );

  return (
    <section className="designer" aria-labelledby="units-title">
      <p className="crumbs muted">{t('admin.title')}</p>
      <div className="page-head">
        <h1 id="units-title">{t('org.unitsTitle')}</h1>
        {parent === null && tree[0] && <button type="button" onClick={() => setParent(tree[0]!.unit.id)}>{t('org.newUnit')}</button>}
      </div>
      <p className="hint">{t('org.unitsHint')}</p>
      {parent !== null && (
        <UnitForm key={parent} tree={tree} parent={parent} onDone={(ok) => { setParent(null); if (ok) setStatus(t('org.unitCreated')); }} />
      )}
      <p className="status" role="status">{status}</p>
      {units.isPending && <p className="loading" role="status">{t('common.loading')}</p>}
      {units.isError && <p className="form-error" role="alert">{errorMessage(units.error, t)}</p>}
      {units.data && (tree.length === 0
        ? <p className="muted">{t('org.noUnits')}</p>
        : <nav aria-label={t('org.tree')} className="panel unit-tree"><ul>{tree.map(node)}</ul></nav>)}
    </section>
  );
}

function UnitForm({ tree, parent: initial, onDone }: { tree: UnitNode[]; parent: string; onDone: (ok: boolean) => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [name, setName] = useState('');
  const [parent, setParent] = useState(initial);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await createUnit(name.trim(), parent);
      await qc.invalidateQueries({ queryKey: UNITS_KEY });
      onDone(true);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <form className="panel designer-form" aria-label={t('org.newUnit')} onSubmit={submit} noValidate>
      <h2>{t('org.newUnit')}</h2>
      {error !== null && <p className="form-error" role="alert">{errorMessage(error, t)}</p>}
      <div className="form-grid flat">
        <div className="field">
          <label htmlFor="unit-name" className="field-label">{t('org.name')}</label>
          <input id="unit-name" autoFocus required aria-required="true" value={name} onChange={(e) => setName(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="unit-parent" className="field-label">{t('org.parent')}</label>
          <select id="unit-parent" value={parent} onChange={(e) => setParent(e.target.value)}>
            <UnitOptions tree={tree} />
          </select>
        </div>
      </div>
      <div className="actions">
        <button type="button" className="secondary" onClick={() => onDone(false)}>{t('common.cancel')}</button>
        <button type="submit" disabled={busy || !name.trim()}>{busy ? t('common.working') : t('org.createUnit')}</button>
      </div>
    </form>
  );
}

function RenameForm({ unit, onDone }: { unit: Unit; onDone: (ok: boolean) => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [name, setName] = useState(unit.name);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const id = `rename-${unit.id}`;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await renameUnit(unit, name.trim());
      await qc.invalidateQueries({ queryKey: UNITS_KEY });
      onDone(true);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <form className="inline-form" aria-label={t('org.renameUnit', { unit: unit.name })} onSubmit={submit} noValidate>
      <label htmlFor={id} className="sr-only">{t('org.name')}</label>
      <input id={id} autoFocus value={name} onChange={(e) => setName(e.target.value)} onKeyDown={(e) => { if (e.key === 'Escape') onDone(false); }} />
      <button type="submit" disabled={busy || !name.trim()}>{t('common.save')}</button>
      <button type="button" className="secondary" onClick={() => onDone(false)}>{t('common.cancel')}</button>
      {error !== null && <p className="form-error" role="alert">{errorMessage(error, t)}</p>}
    </form>
  );
}
