import { t } from '../i18n';
import { TextField, type TextFieldProps } from './TextField';

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

/** A password being chosen: the server's rules as the hint, and the password manager's offer. */
export function NewPasswordField(props: FieldProps) {
  return (
    <TextField
      label={t('field.password')}
      secureTextEntry
      autoComplete="new-password"
      hint={t('register.passwordHint')}
      {...props}
    />
  );
}

export function CurrentPasswordField(props: FieldProps) {
  return (
    <TextField
      label={t('field.password')}
      secureTextEntry
      autoComplete="current-password"
      {...props}
    />
  );
}
