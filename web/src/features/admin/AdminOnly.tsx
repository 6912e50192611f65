// Shows the designer only to administrators; others get a plain explanation (the API would
// refuse their changes anyway with 403).
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useIsAdmin } from './access';

export function AdminOnly({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const me = useIsAdmin();
  if (me.isPending) return <p className="loading" role="status">{t('common.loading')}</p>;
  if (!me.isAdmin) return <p className="form-error" role="alert">{t('admin.only')}</p>;
  return <>{children}</>;
}
