// The language preference of a signed-in person lives on their user record (PATCH /auth/me), so
// it follows them to every browser and device; the browser only remembers it between visits.
import type { QueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { Me, Preferences } from '../../api/types';
import i18n, { type Language, setLanguage } from '../../i18n';
import { ME_KEY } from '../auth/session';

const CHOSEN_KEY = 'meridian.lang.chosen';

function session(): Storage | null {
  try {
    return typeof sessionStorage === 'undefined' ? null : sessionStorage;
  } catch {
    return null;
  }
}

/** Saves the signed-in person's language on the server; the cache of /auth/me follows. */
async function savePreference(lang: Language, qc: QueryClient): Promise<void> {
  const me = (await api<Me>('auth/me', { method: 'PATCH', body: { language: lang } satisfies Preferences })).data;
  qc.setQueryData(ME_KEY, me);
}

/**
 * Switches the language at once. Signed in, the choice is saved for the person; before signing
 * in it is remembered for this tab and saved once they have signed in (an explicit choice on the
 * sign-in page beats the one saved earlier).
 */
export async function chooseLanguage(lang: Language, qc: QueryClient, signedIn: boolean): Promise<void> {
  await setLanguage(lang);
  if (!signedIn) {
    session()?.setItem(CHOSEN_KEY, lang);
    return;
  }
  try {
    await savePreference(lang, qc);
  } catch (e) {
    console.warn('the language preference was not saved', e); // still switched here
  }
}

/**
 * Applies the signed-in person's language: a choice made on the sign-in page is saved, else the
 * saved preference is adopted. Without either, the browser's language stays.
 */
export async function adoptLanguage(me: Me, qc: QueryClient): Promise<void> {
  const store = session();
  const chosen = store?.getItem(CHOSEN_KEY);
  if (chosen === 'en' || chosen === 'zh') {
    store?.removeItem(CHOSEN_KEY);
    if (chosen !== me.language) await chooseLanguage(chosen, qc, true);
    return;
  }
  if ((me.language === 'en' || me.language === 'zh') && me.language !== i18n.language) await setLanguage(me.language);
}
