// Change password (user menu → Change password): the current password, the new one twice, and
// whether to revoke the API keys too (POST /auth/password). The session of this browser stays
// signed in; the server signs out the person's other sessions. Errors show next to their field —
// a refused new password says why (the reason's code is translated).
import { useEffect, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Field } from '../admin/Field';
import { mapErrors } from '../records/errors';
import type { MappedErrors } from '../records/errors';
import { changePassword } from './session';

const FIELDS = ['current_password', 'new_password', 'confirm', 'revoke_api_keys'] as const;
const NO_ERRORS: MappedErrors = { fields: {}, general: [] };

export default function ChangePasswordPage() {
  const { t } = useTranslation();
  const form = useRef<HTMLFormElement>(null);
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [revokeKeys, setRevokeKeys] = useState(false);
  const [errors, setErrors] = useState<MappedErrors>(NO_ERRORS);
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setStatus('');
    if (next !== confirm) {
      setErrors({ fields: { confirm: [{ code: 'password_mismatch', message: t('account.mismatch') }] }, general: [] });
      return;
    }
    setBusy(true);
    setErrors(NO_ERRORS);
    try {
      const res = await changePassword(current, next, revokeKeys);
      setCurrent('');
      setNext('');
      setConfirm('');
      setRevokeKeys(false);
      setStatus(t('account.changed', { count: res.revoked_sessions }) + (res.revoked_api_keys > 0 ? ' ' + t('account.keysRevoked', { count: res.revoked_api_keys }) : ''));
    } catch (err) {
      setErrors(mapErrors(err, FIELDS));
    } finally {
      setBusy(false);
    }
  };
  // The keyboard goes to the first field at fault once its message is on the page.
  useEffect(() => {
    if (!busy && Object.keys(errors.fields).length > 0) form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [errors, busy]);

  return (
    <section className="designer" aria-labelledby="password-title">
      <h1 id="password-title">{t('account.title')}</h1>
      <p className="muted">{t('account.intro')}</p>
      <form ref={form} className="panel designer-form" aria-labelledby="password-title" onSubmit={submit} noValidate>
        {errors.general.length > 0 && (
          <p className="form-error" role="alert">{errors.general.map((g) => t(`errors.${g.code}`, { defaultValue: g.message, field: '' })).join(' ')}</p>
        )}
        <div className="form-grid flat">
          <Field id="current-password" label={t('account.current')} errors={errors.fields.current_password} required>
            {(p) => <input {...p} type="password" autoComplete="current-password" aria-required="true" value={current} onChange={(e) => setCurrent(e.target.value)} />}
          </Field>
          <Field id="new-password" label={t('account.new')} errors={errors.fields.new_password} hint={t('account.hint')} required>
            {(p) => <input {...p} type="password" autoComplete="new-password" aria-required="true" value={next} onChange={(e) => setNext(e.target.value)} />}
          </Field>
          <Field id="confirm-password" label={t('account.confirm')} errors={errors.fields.confirm} required>
            {(p) => <input {...p} type="password" autoComplete="new-password" aria-required="true" value={confirm} onChange={(e) => setConfirm(e.target.value)} />}
          </Field>
          <Field id="revoke-keys" label={t('account.revokeKeys')} errors={errors.fields.revoke_api_keys} hint={t('account.revokeKeysHint')} check>
            {(p) => <input {...p} type="checkbox" checked={revokeKeys} onChange={(e) => setRevokeKeys(e.target.checked)} />}
          </Field>
        </div>
        <div className="actions">
          <button type="submit" disabled={busy || !current || !next || !confirm}>{busy ? t('common.working') : t('account.submit')}</button>
        </div>
        <p className="status" role="status">{status}</p>
      </form>
    </section>
  );
}
