import { useTranslation } from 'react-i18next';
import { setLanguage } from '../../i18n';

/** EN / 中文: switches every string, date and number at once and is remembered. */
export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  const zh = i18n.language.startsWith('zh');
  return (
    <div className="lang" role="group" aria-label={t('shell.language')}>
      <button type="button" aria-pressed={!zh} onClick={() => void setLanguage('en')} lang="en">EN</button>
      <button type="button" aria-pressed={zh} onClick={() => void setLanguage('zh')} lang="zh-CN">中文</button>
    </div>
  );
}
