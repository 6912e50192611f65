import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { Language } from '../../i18n';
import { chooseLanguage } from './language';

/**
 * EN / 中文: switches every string, date and number at once. Signed in, the choice is saved on
 * the person's user record and follows them to other devices.
 */
export function LanguageSwitch({ signedIn = false }: { signedIn?: boolean }) {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const zh = i18n.language.startsWith('zh');
  const choose = (lang: Language) => void chooseLanguage(lang, qc, signedIn);
  return (
    <div className="lang" role="group" aria-label={t('shell.language')}>
      <button type="button" aria-pressed={!zh} onClick={() => choose('en')} lang="en">EN</button>
      <button type="button" aria-pressed={zh} onClick={() => choose('zh')} lang="zh-CN">中文</button>
    </div>
  );
}
