import type { ApiFailure } from '../api/client';
import { t } from '../i18n';
import { TextField, type TextFieldProps } from './TextField';
import { formErrors, type FormErrors } from './useApiForm';

/** The account fields that sign-in, registration, invites and accepting an invite share: each
 * brings its label, keyboard and autofill hints; the caller brings the value, testID and error. */
type FieldProps = Omit<TextFieldProps, 'label'>;

export function EmailField(props: FieldProps) {
  return (
    <TextField
      label={t('field.email')}
      autoCapitalize="none"
      autoComplete="email"
      keyboardType="email-address"
      inputMode="email"
      {...props}
    />
  );
}

export function DisplayNameField(props: FieldProps) {
  return <TextField label={t('field.displayName')} autoComplete="name" {...props} />;
}

/** A password; one being chosen (`choosing`) shows the server's rules as its hint and lets the
 * password manager offer a new one. */
export function PasswordField({ choosing, ...props }: FieldProps & { choosing?: boolean }) {
  return (
    <TextField
      label={t('field.password')}
      secureTextEntry
      autoComplete={choosing ? 'new-password' : 'current-password'}
      hint={choosing ? t('register.passwordHint') : undefined}
      {...props}
    />
  );
}

/** The form's errors where a taken email (a 409 without fields) belongs under the email field. */
export function emailTakenErrors(text: string) {
  return (f: ApiFailure): FormErrors =>
    f.code === 'email_taken' ? { fields: { email: text }, form: null } : formErrors(f);
}
