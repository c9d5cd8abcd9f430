import { useState } from 'react';

import { failureText, toApiFailure } from '../../api/client';
import { Button } from '../../components/Button';
import { EmailField, PasswordField } from '../../components/AccountFields';
import { ErrorText, Muted, Screen, Title } from '../../components/Screen';
import { t } from '../../i18n';
import type { RootScreenProps } from '../../navigation/types';
import { useAppDispatch, useAppSelector } from '../../state/hooks';
import { signIn } from '../../state/session';

export function SignInScreen({ navigation }: RootScreenProps<'SignIn'>) {
  const dispatch = useAppDispatch();
  const expired = useAppSelector((s) => s.auth.reason === 'expired');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      await signIn(dispatch, email.trim(), password);
    } catch (e) {
      const f = toApiFailure(e);
      setError(
        f.code === 'invalid_credentials' || f.code === 'unauthorized'
          ? t('signIn.invalid')
          : failureText(f),
      );
      setBusy(false);
    }
  };

  return (
    <Screen testID="signin-screen" scroll style={{ maxWidth: 420 }}>
      <Title>{t('app.name')}</Title>
      {expired ? <Muted testID="signin-expired">{t('signIn.expired')}</Muted> : null}
      <EmailField testID="signin-email" value={email} onChangeText={setEmail} />
      <PasswordField
        testID="signin-password"
        value={password}
        onChangeText={setPassword}
        onSubmitEditing={submit}
      />
      <ErrorText testID="signin-error">{error}</ErrorText>
      <Button
        title={t('signIn.submit')}
        testID="signin-submit"
        onPress={submit}
        busy={busy}
        disabled={!email || !password}
      />
      <Button
        variant="link"
        title={t('signIn.toRegister')}
        testID="signin-to-register"
        onPress={() => navigation.navigate('Register')}
      />
      <Button
        variant="link"
        title={t('signIn.haveInvite')}
        testID="signin-to-invite"
        onPress={() => navigation.navigate('AcceptInvite')}
      />
    </Screen>
  );
}
