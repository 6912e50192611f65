// A labelled input of the designer's forms with its hint and its errors beside it
// (aria-invalid + aria-describedby), local or from the API's error targets.
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { FieldMessage } from '../records/errors';

export interface InputProps {
  id: string;
  'aria-invalid': true | undefined;
  'aria-describedby': string | undefined;
}

export interface FieldProps {
  id: string;
  label: string;
  errors?: FieldMessage[] | undefined;
  hint?: string | undefined;
  required?: boolean;
  className?: string;
  /** Checkboxes put the label after the box. */
  check?: boolean;
  children: (p: InputProps) => ReactNode;
}

export function Field({ id, label, errors, hint, required, className, check, children }: FieldProps) {
  const invalid = (errors?.length ?? 0) > 0;
  const described = [hint ? `${id}-hint` : '', invalid ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  const props: InputProps = { id, 'aria-invalid': invalid || undefined, 'aria-describedby': described };
  return (
    <div className={`field${check ? ' field-boolean' : ''}${className ? ` ${className}` : ''}`}>
      <label htmlFor={id} className="field-label">
        {label}
        {required && <span className="req" aria-hidden="true"> *</span>}
      </label>
      {children(props)}
      {hint && <p className="hint" id={`${id}-hint`}>{hint}</p>}
      <Messages id={`${id}-error`} errors={errors} field={label} />
    </div>
  );
}

/** Translated error messages (unknown codes show the server's message). */
export function Messages({ id, errors, field }: { id: string; errors?: FieldMessage[] | undefined; field: string }) {
  const { t } = useTranslation();
  if (!errors?.length) return null;
  return (
    <ul className="field-error" id={id}>
      {errors.map((e, i) => (
        <li key={i}>{t(`errors.${e.code}`, { defaultValue: e.message, field })}</li>
      ))}
    </ul>
  );
}
