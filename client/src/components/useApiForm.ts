import { useState } from 'react';

import { failureText, toApiFailure, type ApiFailure } from '../api/client';

/** Where a failed submit's words go: under the fields the server named, or for the whole form. */
export interface FormErrors {
  fields: Record<string, string>;
  form: string | null;
}

const NONE: FormErrors = { fields: {}, form: null };

/**
 * The server's field errors, or the failure's text for the form when it named none (an empty
 * `fields` names none either). With `names`, only those fields count (a form shows no other);
 * without, every field the server sent.
 */
export function formErrors(
  f: ApiFailure,
  names?: readonly string[],
  text: (f: ApiFailure) => string = failureText,
): FormErrors {
  if (!names) {
    return f.fields && Object.keys(f.fields).length
      ? { fields: f.fields, form: null }
      : { fields: {}, form: text(f) };
  }
  const fields: Record<string, string> = {};
  for (const name of names) {
    const message = f.fields?.[name];
    if (message) fields[name] = message;
  }
  return Object.keys(fields).length ? { fields, form: null } : { fields: {}, form: text(f) };
}

/**
 * A form's submit: busy while it runs, errors cleared before and set from the failure after.
 * Busy stays on after a success, since a form that succeeded goes away (a new screen, a closed card).
 */
export function useApiForm(toErrors: (f: ApiFailure) => FormErrors = formErrors) {
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<FormErrors>(NONE);

  const submit = async (action: () => Promise<unknown>) => {
    setBusy(true);
    setErrors(NONE);
    try {
      await action();
    } catch (e) {
      setErrors(toErrors(toApiFailure(e)));
      setBusy(false);
    }
  };

  // Typing again may take the form's message away; the field errors stay until the next submit.
  const clearError = () => setErrors((old) => (old.form ? { ...old, form: null } : old));

  return { busy, fields: errors.fields, error: errors.form, submit, clearError };
}

export type ApiForm = ReturnType<typeof useApiForm>;
