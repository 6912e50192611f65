// The per-field rights of a field security profile: one row per secured field (from metadata),
// a checkbox per right (read, create, update), each named e.g. "Read Account · Credit limit".
import { useTranslation } from 'react-i18next';
import { useEntities } from '../../api/metadata';
import { FIELD_RIGHTS, cellKey, securedFields, toggleRight } from './fieldProfiles';
import type { FieldGrid } from './fieldProfiles';

export function FieldPermissionGrid({ grid, onChange, caption }: { grid: FieldGrid; onChange: (g: FieldGrid) => void; caption: string }) {
  const { t, i18n } = useTranslation();
  const entities = useEntities();
  const fields = securedFields(entities.data ?? [], i18n.language);
  if (entities.isPending) return <p className="muted">{t('common.loading')}</p>;
  if (fields.length === 0) return <p className="muted">{t('fieldProfiles.noSecured')}</p>;
  return (
    <div className="table-scroll small">
      <table>
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t('fieldProfiles.field')}</th>
            {FIELD_RIGHTS.map((r) => <th key={r} scope="col">{t(`fieldProfiles.right.${r}`)}</th>)}
          </tr>
        </thead>
        <tbody>
          {fields.map((f) => {
            const key = cellKey(f.entity, f.attribute);
            return (
              <tr key={key}>
                <th scope="row">{f.label}</th>
                {FIELD_RIGHTS.map((r) => (
                  <td key={r}>
                    <input
                      type="checkbox"
                      aria-label={t('fieldProfiles.cell', { right: t(`fieldProfiles.right.${r}`), field: f.label })}
                      checked={grid[key]?.[r] ?? false}
                      onChange={(e) => onChange(toggleRight(grid, key, r, e.target.checked))}
                    />
                  </td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
