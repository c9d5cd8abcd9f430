import { useState } from 'react';

import { failureText, toApiFailure } from '../../api/client';
import { Button } from '../../components/Button';
import { ErrorText, Screen, Title } from '../../components/Screen';
import { TextField } from '../../components/TextField';
import { t } from '../../i18n';
import type { RootScreenProps } from '../../navigation/types';
import { useAppDispatch } from '../../state/hooks';
import { register } from '../../state/session';

export function RegisterScreen({ navigation }: RootScreenProps<'Register'>) {
  const dispatch = useAppDispatch();
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fields, setFields] = useState<Record<string, string>>({});

  const submit = async () => {
    setBusy(true);
    setError(null);
    setFields({});
    try {
      await register(dispatch, email.trim(), name.trim(), password);
    } catch (e) {
      const f = toApiFailure(e);
      if (f.code === 'email_taken') setFields({ email: t('register.emailTaken') });
      else if (f.fields) setFields(f.fields);
      else setError(failureText(f));
      setBusy(false);
    }
  };

  return (
    <Screen testID="register-screen" scroll style={{ maxWidth: 420 }}>
      <Title>{t('register.title')}</Title>
      <TextField
        label={t('field.email')}
        testID="register-email"
        value={email}
        onChangeText={setEmail}
        autoCapitalize="none"
        autoComplete="email"
        keyboardType="email-address"
        inputMode="email"
        error={fields.email}
      />
      <TextField
        label={t('field.displayName')}
        testID="register-display-name"
        value={name}
        onChangeText={setName}
        autoComplete="name"
        error={fields.display_name}
      />
      <TextField
        label={t('field.password')}
        testID="register-password"
        value={password}
        onChangeText={setPassword}
        secureTextEntry
        autoComplete="new-password"
        hint={t('register.passwordHint')}
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
