// Adds a field to an entity, or edits an existing one's labels, description and options. The form
// adapts to the type (max length, range, scale, options, target entity, autonumber format,
// default); errors, local or from the API's targets, are shown next to their inputs and nothing
// typed is lost — switching the type keeps every input too.
import { useEffect, useRef, useState } from 'react';
import type { FormEvent, RefObject } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/client';
import { entityLabel, label } from '../../api/metadata';
import type { AttributeDefinition, AttributeType, EntityDefinition } from '../../api/types';
import { mapErrors } from '../records/errors';
import type { FieldMessage, MappedErrors } from '../records/errors';
import { Field } from './Field';
import { OptionEditor } from './OptionEditor';
import { FIELD_TYPES, emptyFieldForm, fieldBody, fieldPatchBody, formOf, traitsOf } from './designer';
import type { FieldForm as Form, LocalErrors } from './designer';
import { addAttribute, afterModelChange, updateAttribute } from './metadataApi';

export interface FieldFormProps {
  entity: EntityDefinition;
  entities: EntityDefinition[];
  /** The field being edited; absent for a new one. */
  attr?: AttributeDefinition | undefined;
  /** Whether the edited field was added at run time (its options may change), not shipped. */
  custom?: boolean;
  onDone: (name: string) => void;
  onCancel: () => void;
}

const NONE: MappedErrors = { fields: {}, general: [] };

function localToMapped(errors: LocalErrors): MappedErrors {
  const fields: Record<string, FieldMessage[]> = {};
  for (const [k, code] of Object.entries(errors)) fields[k] = [{ code, message: code }];
  return { fields, general: [] };
}

export function FieldForm({ entity, entities, attr, custom = true, onDone, onCancel }: FieldFormProps) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const qc = useQueryClient();
  const editing = attr !== undefined;
  const [form, setForm] = useState<Form>(() => (attr ? formOf(attr) : emptyFieldForm()));
  const [errors, setErrors] = useState<MappedErrors>(NONE);
  const [busy, setBusy] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  useFocusFirstError(errors, formRef);
  const [forceable, setForceable] = useState(false);
  const tr = traitsOf(form.type);
  const set = <K extends keyof Form>(k: K, v: Form[K]) => setForm((f) => ({ ...f, [k]: v }));
  const idp = editing ? `edit-${attr.name}` : 'new-field';

  const known = [
    'name', 'type', 'display_name', 'description', 'required', 'unique', 'default', 'max_length', 'min', 'max', 'scale',
    'options', 'target', 'format', ...form.options.flatMap((_, i) => [`options[${i}].value`, `options[${i}].label`]),
  ];

  const submit = async (ev: FormEvent, force = false) => {
    ev.preventDefault();
    const built = editing ? fieldPatchBody(form, custom) : fieldBody(form);
    if (Object.keys(built.errors).length > 0) {
      setErrors(localToMapped(built.errors));
      return;
    }
    setBusy(true);
    setErrors(NONE);
    setForceable(false);
    try {
      const out = editing
        ? await updateAttribute(entity.name, attr.name, built.body, force)
        : await addAttribute(entity.name, built.body as AttributeDefinition);
      await afterModelChange(qc);
      onDone(out.name);
    } catch (e) {
      setErrors(mapErrors(e, known));
      setForceable(e instanceof ApiError && e.code === 'data_loss');
    } finally {
      setBusy(false);
    }
  };

  const err = (k: string) => errors.fields[k];
  const title = editing ? t('admin.fields.editTitle', { field: label(attr.display_name, lang, attr.name) }) : t('admin.fields.addTitle');
  const sorted = [...entities].sort((a, b) => entityLabel(a, lang).localeCompare(entityLabel(b, lang), lang));

  return (
    <form ref={formRef} className="designer-form panel" onSubmit={(e) => void submit(e)} noValidate aria-labelledby={`${idp}-title`}>
      <h2 id={`${idp}-title`}>{title}</h2>
      {errors.general.length > 0 && (
        <div className="form-error" role="alert">
          <ul>
            {errors.general.map((g, i) => (
              <li key={i}>{t(`errors.${g.code}`, { defaultValue: g.message, field: '' })}</li>
            ))}
          </ul>
          {forceable && (
            <>
              <p><strong>{t('admin.fields.forceWarning')}</strong></p>
              <button type="button" className="danger" onClick={(e) => void submit(e, true)}>{t('admin.fields.forceSave')}</button>
            </>
          )}
        </div>
      )}
      <div className="form-grid">
        <Field id={`${idp}-type`} label={t('admin.fields.type')} errors={err('type')}>
          {(p) => (
            <select {...p} value={form.type} disabled={editing} onChange={(e) => set('type', e.target.value as AttributeType)}>
              {FIELD_TYPES.map((ty) => (
                <option key={ty} value={ty}>{t(`admin.types.${ty}`)}</option>
              ))}
            </select>
          )}
        </Field>
        <Field id={`${idp}-name`} label={t('admin.fields.name')} errors={err('name')} required hint={editing ? undefined : t(form.type === 'lookup' ? 'admin.fields.lookupNameHint' : 'admin.nameHint')}>
          {(p) => <input {...p} className="mono" value={form.name} readOnly={editing} spellCheck={false} autoCapitalize="off" onChange={(e) => set('name', e.target.value)} />}
        </Field>
        <Field id={`${idp}-en`} label={t('admin.displayEn')} errors={err('display_name')}>
          {(p) => <input {...p} value={form.en} onChange={(e) => set('en', e.target.value)} />}
        </Field>
        <Field id={`${idp}-zh`} label={t('admin.displayZh')}>
          {(p) => <input {...p} lang="zh-CN" value={form.zh} onChange={(e) => set('zh', e.target.value)} />}
        </Field>
        <Field id={`${idp}-description`} label={t('admin.description')} errors={err('description')} className="wide">
          {(p) => <textarea {...p} rows={2} value={form.description} onChange={(e) => set('description', e.target.value)} />}
        </Field>

        {!editing && tr.maxLength && (
          <Field id={`${idp}-max-length`} label={t('admin.fields.maxLength')} errors={err('max_length')} hint={t(form.type === 'text' ? 'admin.fields.textLengthHint' : 'admin.fields.maxLengthHint')}>
            {(p) => <input {...p} inputMode="numeric" value={form.maxLength} onChange={(e) => set('maxLength', e.target.value)} />}
          </Field>
        )}
        {!editing && tr.range && (
          <>
            <Field id={`${idp}-min`} label={t('admin.fields.min')} errors={err('min')}>
              {(p) => <input {...p} inputMode="decimal" value={form.min} onChange={(e) => set('min', e.target.value)} />}
            </Field>
            <Field id={`${idp}-max`} label={t('admin.fields.max')} errors={err('max')}>
              {(p) => <input {...p} inputMode="decimal" value={form.max} onChange={(e) => set('max', e.target.value)} />}
            </Field>
          </>
        )}
        {!editing && tr.scale && (
          <Field id={`${idp}-scale`} label={t('admin.fields.scale')} errors={err('scale')} hint={t('admin.fields.scaleHint')}>
            {(p) => <input {...p} inputMode="numeric" value={form.scale} onChange={(e) => set('scale', e.target.value)} />}
          </Field>
        )}
        {!editing && tr.target && (
          <Field id={`${idp}-target`} label={t('admin.fields.target')} errors={err('target')} required>
            {(p) => (
              <select {...p} value={form.target} onChange={(e) => set('target', e.target.value)}>
                <option value="">{t('admin.choose')}</option>
                {sorted.filter((x) => !x.union?.length).map((x) => (
                  <option key={x.name} value={x.name}>{entityLabel(x, lang)} ({x.name})</option>
                ))}
              </select>
            )}
          </Field>
        )}
        {!editing && tr.format && (
          <Field id={`${idp}-format`} label={t('admin.fields.format')} errors={err('format')} hint={t('admin.fields.formatHint')}>
            {(p) => <input {...p} className="mono" value={form.format} placeholder="CAS-{seq:6}" onChange={(e) => set('format', e.target.value)} />}
          </Field>
        )}
        {!editing && tr.defaultKind && (
          <Field id={`${idp}-default`} label={t('admin.fields.default')} errors={err('default')}>
            {(p) => {
              switch (tr.defaultKind) {
                case 'boolean':
                  return (
                    <select {...p} value={form.defaultValue} onChange={(e) => set('defaultValue', e.target.value)}>
                      <option value="">{t('field.none')}</option>
                      <option value="true">{t('common.yes')}</option>
                      <option value="false">{t('common.no')}</option>
                    </select>
                  );
                case 'choice':
                  return (
                    <select {...p} value={form.defaultValue} onChange={(e) => set('defaultValue', e.target.value)}>
                      <option value="">{t('field.none')}</option>
                      {form.options.filter((o) => o.value.trim()).map((o) => (
                        <option key={o.key} value={o.value.trim()}>{(lang.startsWith('zh') ? o.zh || o.en : o.en) || o.value}</option>
                      ))}
                    </select>
                  );
                case 'date':
                  return <input {...p} type="date" value={form.defaultValue} onChange={(e) => set('defaultValue', e.target.value)} />;
                case 'number':
                  return <input {...p} inputMode="decimal" value={form.defaultValue} onChange={(e) => set('defaultValue', e.target.value)} />;
                default:
                  return <input {...p} value={form.defaultValue} onChange={(e) => set('defaultValue', e.target.value)} />;
              }
            }}
          </Field>
        )}
        {!editing && (
          <div className="flags wide">
            <Field id={`${idp}-required`} label={t('admin.fields.required')} errors={err('required')} check>
              {(p) => <input {...p} type="checkbox" checked={form.required} onChange={(e) => set('required', e.target.checked)} />}
            </Field>
            {tr.unique && (
              <Field id={`${idp}-unique`} label={t('admin.fields.unique')} errors={err('unique')} check>
                {(p) => <input {...p} type="checkbox" checked={form.unique} onChange={(e) => set('unique', e.target.checked)} />}
              </Field>
            )}
          </div>
        )}
        {tr.options && (!editing || custom) && (
          <div className="wide">
            <OptionEditor rows={form.options} onChange={(rows) => set('options', rows)} errors={errors.fields} />
          </div>
        )}
      </div>
      <div className="actions">
        <button type="button" className="secondary" onClick={onCancel}>{t('common.cancel')}</button>
        <button type="submit" disabled={busy}>{busy ? t('common.working') : editing ? t('common.save') : t('admin.fields.add')}</button>
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
