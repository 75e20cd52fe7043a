/**
 * A form control with its label, an optional hint, and the server's reason when it named this
 * field in a problem (`body.rootCause` → "must not be empty"). The control is given its id and
 * its description ids, so screen readers read the label, hint and error with it.
 */
import './panel-parts.css';
import { useId } from 'react';
import type { ApiError } from '../api.ts';

export interface ControlProps {
  id: string;
  'aria-describedby'?: string;
  'aria-invalid'?: boolean;
}

/** The reason the problem gives for `field` (`rootCause` matches `body.rootCause` too). */
export function fieldReason(error: unknown, field: string): string | null {
  const errors = (error as Pick<ApiError, 'errors'> | null)?.errors;
  if (!Array.isArray(errors)) return null;
  // The server names where the value was: `body.rootCause`, `querystring.filename`, `body.whys.2`.
  const hit = errors.find(
    (e) =>
      e.field === field ||
      e.field.endsWith(`.${field}`) ||
      e.field.startsWith(`${field}.`) ||
      e.field.includes(`.${field}.`),
  );
  return hit ? hit.reason : null;
}

export function FieldWithError({
  label,
  hint,
  error,
  field,
  children,
}: {
  label: string;
  hint?: string;
  /** The last problem from the server; only its reason for `field` is shown here. */
  error?: unknown;
  field?: string;
  children: (control: ControlProps) => React.ReactNode;
}) {
  const id = useId();
  const reason = field ? fieldReason(error, field) : null;
  const described = [hint ? `${id}-hint` : '', reason ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {hint && (
        <p className="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {children({
        id,
        ...(described ? { 'aria-describedby': described } : {}),
        ...(reason ? { 'aria-invalid': true } : {}),
      })}
      {reason && (
        <p className="field-error" id={`${id}-error`}>
          {reason}
        </p>
      )}
    </div>
  );
}
