// Sign-in: email, password and an optional organisation, then the second factor when asked.
import { useState } from 'react';
import type { FormEvent } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router';
import { ApiError } from '../../api/client';
import { LanguageSwitch } from '../shell/LanguageSwitch';
import { ME_KEY, signIn, verifyMfa } from './session';

export default function SignIn() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [tenant, setTenant] = useState('');
  const [challenge, setChallenge] = useState<string | null>(null);
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const done = async () => {
    // The cached answer is "no session" and nothing observes it here: drop it, so the shell
    // asks again rather than sending the user back to this page.
    qc.removeQueries({ queryKey: ME_KEY });
    const next = params.get('next');
    navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : '/', { replace: true });
  };

  const fail = (e: unknown) => {
    if (e instanceof ApiError) setError(t(`errors.${e.code}`, { defaultValue: e.message }));
    else setError(t('errors.network'));
  };

  const submit = async (ev: FormEvent) => {
    ev.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (challenge) {
        await verifyMfa(challenge, code, tenant);
        await done();
      } else {
        const r = await signIn(email, password, tenant);
        if (r.mfa_required && r.challenge) {
          setChallenge(r.challenge);
          setCode('');
        } else {
          await done();
        }
      }
    } catch (e) {
      if (challenge && e instanceof ApiError && (e.code === 'invalid_challenge' || e.code === 'challenge_expired')) setChallenge(null);
      fail(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="signin" aria-labelledby="signin-title">
      <div className="signin-card">
        <div className="signin-top">
          <span className="brand">Meridian</span>
          <LanguageSwitch />
        </div>
        <h1 id="signin-title">{challenge ? t('signin.mfaTitle') : t('signin.title')}</h1>
        <form onSubmit={submit} noValidate>
          {challenge ? (
            <>
              <p className="muted">{t('signin.mfaHelp')}</p>
              <div className="field">
                <label htmlFor="mfa-code" className="field-label">{t('signin.code')}</label>
                <input id="mfa-code" name="code" inputMode="numeric" autoComplete="one-time-code" autoFocus required value={code} onChange={(e) => setCode(e.target.value)} />
              </div>
            </>
          ) : (
            <>
              <div className="field">
                <label htmlFor="email" className="field-label">{t('signin.email')}</label>
                <input id="email" name="email" type="email" autoComplete="username" autoFocus required value={email} onChange={(e) => setEmail(e.target.value)} />
              </div>
              <div className="field">
                <label htmlFor="password" className="field-label">{t('signin.password')}</label>
                <input id="password" name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
              </div>
              <div className="field">
                <label htmlFor="tenant" className="field-label">{t('signin.tenant')}</label>
                <input id="tenant" name="tenant" type="text" autoComplete="organization" aria-describedby="tenant-help" value={tenant} onChange={(e) => setTenant(e.target.value)} />
                <p id="tenant-help" className="hint">{t('signin.tenantHelp')}</p>
              </div>
            </>
          )}
          {error && <p className="form-error" role="alert">{error}</p>}
          <div className="actions">
            {challenge && (
              <button type="button" className="secondary" onClick={() => { setChallenge(null); setError(null); }}>
                {t('common.back')}
              </button>
            )}
            <button type="submit" disabled={busy}>
              {busy ? t('common.working') : challenge ? t('signin.verify') : t('signin.submit')}
            </button>
          </div>
        </form>
      </div>
    </main>
  );
}
