import { useState } from 'react';

import { DisplayNameField, EmailField, NewPasswordField } from '../../components/AccountFields';
import { Button } from '../../components/Button';
import { ErrorText, Screen, Title } from '../../components/Screen';
import { formErrors, useApiForm } from '../../components/useApiForm';
import { t } from '../../i18n';
import type { RootScreenProps } from '../../navigation/types';
import { useAppDispatch } from '../../state/hooks';
import { register } from '../../state/session';

export function RegisterScreen({ navigation }: RootScreenProps<'Register'>) {
  const dispatch = useAppDispatch();
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const {
    busy,
    error,
    fields,
    submit: run,
  } = useApiForm((f) =>
    f.code === 'email_taken'
      ? { fields: { email: t('register.emailTaken') }, form: null }
      : formErrors(f),
  );

  const submit = () => run(() => register(dispatch, email.trim(), name.trim(), password));

  return (
    <Screen testID="register-screen" scroll style={{ maxWidth: 420 }}>
      <Title>{t('register.title')}</Title>
      <EmailField
        testID="register-email"
        value={email}
        onChangeText={setEmail}
        error={fields.email}
      />
      <DisplayNameField
        testID="register-display-name"
        value={name}
        onChangeText={setName}
        error={fields.display_name}
      />
      <NewPasswordField
        testID="register-password"
        value={password}
        onChangeText={setPassword}
        error={fields.password}
        onSubmitEditing={submit}
      />
      <ErrorText testID="register-error">{error}</ErrorText>
      <Button
        title={t('register.submit')}
        testID="register-submit"
        onPress={submit}
        busy={busy}
        disabled={!email || !name || !password}
      />
      <Button
        variant="link"
        title={t('register.toSignIn')}
        testID="register-to-signin"
        onPress={() => navigation.navigate('SignIn')}
      />
    </Screen>
  );
}
