// Creates a custom entity: its name, set name, display and plural names in English and Chinese,
// and the primary name attribute (a required text field, added with the entity). API errors are
// shown next to their inputs (`attributes[0].name` next to the primary name); nothing typed is lost.
import { useEffect, useRef, useState } from 'react';
import type { FormEvent, RefObject } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { mapErrors } from '../records/errors';
import type { FieldMessage, MappedErrors } from '../records/errors';
import { Field } from './Field';
import { emptyEntityForm, entityBody, pluralOf } from './designer';
import type { EntityForm as Form } from './designer';
import { afterModelChange, createEntity } from './metadataApi';

const KNOWN = ['name', 'set_name', 'display_name', 'plural_name', 'description', 'primary_name', 'attributes', 'attributes[0].name', 'attributes[0].display_name'];
const NONE: MappedErrors = { fields: {}, general: [] };

export function EntityForm({ onDone, onCancel }: { onDone: (name: string) => void; onCancel: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [form, setForm] = useState<Form>(emptyEntityForm);
  const [errors, setErrors] = useState<MappedErrors>(NONE);
  const [busy, setBusy] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  useFocusFirstError(errors, formRef);
  const set = <K extends keyof Form>(k: K, v: Form[K]) => setForm((f) => ({ ...f, [k]: v }));

  const submit = async (ev: FormEvent) => {
    ev.preventDefault();
    const built = entityBody(form);
    if (Object.keys(built.errors).length > 0) {
      const fields: Record<string, FieldMessage[]> = {};
      for (const [k, code] of Object.entries(built.errors)) fields[k] = [{ code, message: code }];
      setErrors({ fields, general: [] });
      return;
    }
    setBusy(true);
    setErrors(NONE);
    try {
      const out = await createEntity(built.body);
      await afterModelChange(qc);
      onDone(out.name);
    } catch (e) {
      setErrors(mapErrors(e, KNOWN));
    } finally {
      setBusy(false);
    }
  };

  const err = (...keys: string[]) => {
    const all = keys.flatMap((k) => errors.fields[k] ?? []);
    return all.length ? all : undefined;
  };
  return (
    <form ref={formRef} className="designer-form panel" onSubmit={(e) => void submit(e)} noValidate aria-labelledby="new-entity-title">
      <h2 id="new-entity-title">{t('admin.entities.createTitle')}</h2>
      {errors.general.length > 0 && (
        <div className="form-error" role="alert">
          <ul>
            {errors.general.map((g, i) => (
              <li key={i}>{t(`errors.${g.code}`, { defaultValue: g.message, field: '' })}</li>
            ))}
          </ul>
        </div>
      )}
      <div className="form-grid">
        <Field id="entity-name" label={t('admin.entities.name')} errors={err('name')} required hint={t('admin.nameHint')}>
          {(p) => <input {...p} className="mono" value={form.name} spellCheck={false} autoCapitalize="off" onChange={(e) => set('name', e.target.value)} />}
        </Field>
        <Field id="entity-set" label={t('admin.entities.setName')} errors={err('set_name')} hint={t('admin.entities.setNameHint')}>
          {(p) => <input {...p} className="mono" value={form.setName} placeholder={pluralOf(form.name.trim())} spellCheck={false} autoCapitalize="off" onChange={(e) => set('setName', e.target.value)} />}
        </Field>
        <Field id="entity-en" label={t('admin.displayEn')} errors={err('display_name')} required>
          {(p) => <input {...p} value={form.en} onChange={(e) => set('en', e.target.value)} />}
        </Field>
        <Field id="entity-zh" label={t('admin.displayZh')}>
          {(p) => <input {...p} lang="zh-CN" value={form.zh} onChange={(e) => set('zh', e.target.value)} />}
        </Field>
        <Field id="entity-plural-en" label={t('admin.entities.pluralEn')} errors={err('plural_name')}>
          {(p) => <input {...p} value={form.pluralEn} onChange={(e) => set('pluralEn', e.target.value)} />}
        </Field>
        <Field id="entity-plural-zh" label={t('admin.entities.pluralZh')}>
          {(p) => <input {...p} lang="zh-CN" value={form.pluralZh} onChange={(e) => set('pluralZh', e.target.value)} />}
        </Field>
        <Field id="entity-description" label={t('admin.description')} errors={err('description')} className="wide">
          {(p) => <textarea {...p} rows={2} value={form.description} onChange={(e) => set('description', e.target.value)} />}
        </Field>
        <fieldset className="wide subgroup">
          <legend className="field-label">{t('admin.entities.primary')}</legend>
          <p className="hint">{t('admin.entities.primaryHint')}</p>
          <div className="form-grid flat">
            <Field id="entity-primary" label={t('admin.entities.primaryName')} errors={err('primary_name', 'attributes[0].name', 'attributes')} required>
              {(p) => <input {...p} className="mono" value={form.primaryName} spellCheck={false} autoCapitalize="off" onChange={(e) => set('primaryName', e.target.value)} />}
            </Field>
            <span />
            <Field id="entity-primary-en" label={t('admin.entities.primaryEn')} errors={err('attributes[0].display_name')}>
              {(p) => <input {...p} value={form.primaryEn} onChange={(e) => set('primaryEn', e.target.value)} />}
            </Field>
            <Field id="entity-primary-zh" label={t('admin.entities.primaryZh')}>
              {(p) => <input {...p} lang="zh-CN" value={form.primaryZh} onChange={(e) => set('primaryZh', e.target.value)} />}
            </Field>
          </div>
        </fieldset>
      </div>
      <div className="actions">
        <button type="button" className="secondary" onClick={onCancel}>{t('common.cancel')}</button>
        <button type="submit" disabled={busy}>{busy ? t('common.working') : t('admin.entities.create')}</button>
      </div>
    </form>
  );
}

/** Moves the keyboard to the first input at fault once the errors are on the page. */
function useFocusFirstError(errors: MappedErrors, form: RefObject<HTMLFormElement | null>) {
  useEffect(() => {
    if (Object.keys(errors.fields).length > 0) form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [errors, form]);
}
