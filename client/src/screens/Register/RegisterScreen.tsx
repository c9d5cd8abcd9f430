import { useState } from 'react';

import {
  DisplayNameField,
  EmailField,
  emailTakenErrors,
  PasswordField,
} from '../../components/AccountFields';
import { Button } from '../../components/Button';
import { ErrorText, Screen, Title } from '../../components/Screen';
import { useApiForm } from '../../components/useApiForm';
import { t } from '../../i18n';
import type { RootScreenProps } from '../../navigation/types';
import { useAppDispatch } from '../../state/hooks';
import { register } from '../../state/session';

export function RegisterScreen({ navigation }: RootScreenProps<'Register'>) {
  const dispatch = useAppDispatch();
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const form = useApiForm(emailTakenErrors(t('register.emailTaken')));

  const submit = () => form.submit(() => register(dispatch, email.trim(), name.trim(), password));

  return (
    <Screen testID="register-screen" scroll style={{ maxWidth: 420 }}>
      <Title>{t('register.title')}</Title>
      <EmailField
        testID="register-email"
        value={email}
        onChangeText={setEmail}
        error={form.fields.email}
      />
      <DisplayNameField
        testID="register-display-name"
        value={name}
        onChangeText={setName}
        error={form.fields.display_name}
      />
      <PasswordField
        choosing
        testID="register-password"
        value={password}
        onChangeText={setPassword}
        error={form.fields.password}
        onSubmitEditing={submit}
      />
      <ErrorText testID="register-error">{form.error}</ErrorText>
      <Button
        title={t('register.submit')}
        testID="register-submit"
        onPress={submit}
        busy={form.busy}
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
