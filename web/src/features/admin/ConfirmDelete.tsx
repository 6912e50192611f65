// Confirmation of deleting an entity or a field, in a modal alert dialog. When the API refuses
// because data would be lost (409 data_loss), its message is shown with a clear warning and a
// second, explicit button that repeats the request with ?force=true.
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/client';
import { errorMessage } from '../records/errors';

export interface ConfirmDeleteProps {
  title: string;
  text: string;
  /** What forcing loses, e.g. "every account's value of this field". */
  forceText: string;
  onDelete: (force: boolean) => Promise<void>;
  onClose: () => void;
}

export function ConfirmDelete({ title, text, forceText, onDelete, onClose }: ConfirmDeleteProps) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal?.();
    return () => d?.close?.();
  }, []);

  const run = async (force: boolean) => {
    setBusy(true);
    try {
      await onDelete(force);
      onClose();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const dataLoss = error instanceof ApiError && error.code === 'data_loss';
  return (
    <dialog ref={ref} className="confirm" role="alertdialog" aria-labelledby="delete-title" aria-describedby="delete-text" onCancel={onClose}>
      <h2 id="delete-title">{title}</h2>
      <p id="delete-text">{text}</p>
      {error !== null && (
        <div className="form-error" role="alert">
          <p>{errorMessage(error, t)}</p>
          {dataLoss && <p><strong>{t('admin.delete.forceWarning', { what: forceText })}</strong></p>}
        </div>
      )}
      <div className="actions">
        <button type="button" className="secondary" autoFocus onClick={onClose}>{t('common.cancel')}</button>
        {dataLoss ? (
          <button type="button" className="danger" disabled={busy} onClick={() => void run(true)}>
            {busy ? t('common.working') : t('admin.delete.force')}
          </button>
        ) : (
          <button type="button" className="danger" disabled={busy} onClick={() => void run(false)}>
            {busy ? t('common.working') : t('admin.delete.confirm')}
          </button>
        )}
      </div>
    </dialog>
  );
}
