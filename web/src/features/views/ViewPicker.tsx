// The list page's view picker: "All records", the user's saved views and the views others shared
// (marked); save the list as a view (name, shared), save changes to one's own view, save as a new
// view, rename or delete one's own. The chosen view is in the URL (?view=<id>).
import { useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { errorMessage, mapErrors } from '../records/errors';
import type { ListState, SavedView } from './views';
import { createView, deleteView, listViews, stateBody, updateView } from './views';

/** The saved views of an entity set (mine first, then shared ones). */
export function useViews(set: string) {
  return useQuery({ queryKey: ['views', set], queryFn: () => listViews(set), enabled: !!set, staleTime: 30_000 });
}

export interface ViewPickerProps {
  set: string;
  views: SavedView[];
  active: SavedView | undefined;
  modified: boolean;
  state: ListState;
  filter: string | undefined;
  onChoose: (v: SavedView | undefined) => void;
}

type Mode = 'new' | 'rename';

export function ViewPicker({ set, views, active, modified, state, filter, onChoose }: ViewPickerProps) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const dialog = useRef<HTMLDialogElement>(null);
  const confirm = useRef<HTMLDialogElement>(null);
  const [mode, setMode] = useState<Mode>('new');
  const [name, setName] = useState('');
  const [shared, setShared] = useState(false);
  const [isDefault, setIsDefault] = useState(false);
  const [nameError, setNameError] = useState('');
  const [formError, setFormError] = useState('');
  const [status, setStatus] = useState('');
  const mine = views.filter((v) => v.mine);
  const others = views.filter((v) => !v.mine);
  const own = active?.mine ? active : undefined;

  const refresh = () => qc.invalidateQueries({ queryKey: ['views', set] });
  const open = (m: Mode) => {
    setMode(m);
    setName(m === 'rename' && own ? own.name : '');
    setShared(m === 'rename' && own ? own.shared : false);
    setIsDefault(m === 'rename' && own ? own.is_default : false);
    setNameError('');
    setFormError('');
    dialog.current?.showModal();
  };

  const save = useMutation({
    mutationFn: async () => {
      if (mode === 'rename' && own) return updateView(own.id, { name: name.trim(), shared, is_default: isDefault });
      return createView({ entity: set, name: name.trim(), shared, is_default: isDefault, ...stateBody(state, filter) });
    },
    onSuccess: async (v) => {
      dialog.current?.close();
      setStatus(t(mode === 'rename' ? 'views.renamed' : 'views.saved', { name: v.name }));
      await refresh();
      onChoose(v);
    },
    onError: (e) => {
      const m = mapErrors(e, ['name']);
      setNameError(m.fields.name?.map((x) => t(`errors.${x.code}`, { defaultValue: x.message })).join(' ') ?? '');
      setFormError(m.general.map((x) => t(`errors.${x.code}`, { defaultValue: x.message })).join(' '));
    },
  });
  const update = useMutation({
    mutationFn: async () => (own ? updateView(own.id, stateBody(state, filter)) : undefined),
    onSuccess: async (v) => {
      if (v) setStatus(t('views.updated', { name: v.name }));
      await refresh();
    },
    onError: (e) => setStatus(errorMessage(e, t)),
  });
  const remove = useMutation({
    mutationFn: async () => (own ? deleteView(own.id) : undefined),
    onSuccess: async () => {
      confirm.current?.close();
      setStatus(t('views.deleted', { name: own?.name ?? '' }));
      onChoose(undefined);
      await refresh();
    },
    onError: (e) => {
      confirm.current?.close();
      setStatus(errorMessage(e, t));
    },
  });

  const submit = (ev: FormEvent) => {
    ev.preventDefault();
    if (!name.trim()) {
      setNameError(t('views.nameRequired'));
      document.getElementById('view-name')?.focus();
      return;
    }
    save.mutate();
  };
  const choose = (id: string) => {
    setStatus('');
    onChoose(views.find((v) => v.id === id));
  };

  return (
    <div className="view-picker">
      <label htmlFor="view-select">{t('views.label')}</label>
      <select id="view-select" value={active?.id ?? ''} onChange={(e) => choose(e.target.value)}>
        <option value="">{t('views.all')}</option>
        {mine.length > 0 && (
          <optgroup label={t('views.mine')}>
            {mine.map((v) => (
              <option key={v.id} value={v.id}>
                {v.shared ? t('views.sharedMark', { name: v.name }) : v.name}
                {v.is_default ? t('views.defaultMark') : ''}
              </option>
            ))}
          </optgroup>
        )}
        {others.length > 0 && (
          <optgroup label={t('views.shared')}>
            {others.map((v) => (
              <option key={v.id} value={v.id}>{t('views.sharedMark', { name: v.name })}</option>
            ))}
          </optgroup>
        )}
      </select>
      {active && modified && <span className="badge" role="status">{t('views.modified')}</span>}
      {active && !active.mine && <span className="muted">{t('views.readOnly')}</span>}
      <div className="view-actions">
        {own && modified && (
          <button type="button" className="secondary" disabled={update.isPending} onClick={() => update.mutate()}>
            {update.isPending ? t('common.working') : t('views.save')}
          </button>
        )}
        {!active ? (
          <button type="button" className="secondary" onClick={() => open('new')}>{t('views.saveView')}</button>
        ) : (
          <button type="button" className="secondary" onClick={() => open('new')}>{t('views.saveAs')}</button>
        )}
        {own && (
          <>
            <button type="button" className="secondary" onClick={() => open('rename')}>{t('views.rename')}</button>
            <button type="button" className="secondary" onClick={() => confirm.current?.showModal()}>{t('views.delete')}</button>
          </>
        )}
      </div>
      {status && <p className="muted view-status" role="status">{status}</p>}

      <dialog ref={dialog} className="confirm" aria-labelledby="view-dialog-title">
        <form onSubmit={submit} noValidate>
          <h2 id="view-dialog-title">{mode === 'rename' ? t('views.renameTitle') : t('views.saveTitle')}</h2>
          {formError && <p className="form-error" role="alert">{formError}</p>}
          <div className="field">
            <label htmlFor="view-name">{t('views.name')}</label>
            <input
              id="view-name"
              value={name}
              maxLength={100}
              aria-invalid={!!nameError || undefined}
              aria-describedby={nameError ? 'view-name-error' : undefined}
              onChange={(e) => setName(e.target.value)}
            />
            {nameError && <p className="field-error" id="view-name-error">{nameError}</p>}
          </div>
          <label className="check">
            <input type="checkbox" checked={shared} onChange={(e) => setShared(e.target.checked)} />
            <span>{t('views.shareWithAll')}</span>
          </label>
          <label className="check">
            <input type="checkbox" checked={isDefault} onChange={(e) => setIsDefault(e.target.checked)} />
            <span>{t('views.makeDefault')}</span>
          </label>
          <div className="actions">
            <button type="button" className="secondary" onClick={() => dialog.current?.close()}>{t('common.cancel')}</button>
            <button type="submit" disabled={save.isPending}>{save.isPending ? t('common.working') : t('common.save')}</button>
          </div>
        </form>
      </dialog>
      <dialog ref={confirm} className="confirm" role="alertdialog" aria-labelledby="view-delete-title" aria-describedby="view-delete-text">
        <h2 id="view-delete-title">{t('views.deleteTitle', { name: own?.name ?? '' })}</h2>
        <p id="view-delete-text">{t('views.deleteText')}</p>
        <div className="actions">
          <button type="button" className="secondary" autoFocus onClick={() => confirm.current?.close()}>{t('common.cancel')}</button>
          <button type="button" className="danger" disabled={remove.isPending} onClick={() => remove.mutate()}>{t('views.delete')}</button>
        </div>
      </dialog>
    </div>
  );
}
