import { useState } from 'react';
import { Platform } from 'react-native';

import { PasswordField } from '../../components/AccountFields';
import { Button } from '../../components/Button';
import { ErrorText, Muted, Screen, Title } from '../../components/Screen';
import { TextField } from '../../components/TextField';
import { useApiForm } from '../../components/useApiForm';
import { t } from '../../i18n';
import type { RootScreenProps } from '../../navigation/types';
import { useAppDispatch } from '../../state/hooks';
import { acceptInvite } from '../../state/session';

/**
 * The invite link's token rides in the URL fragment (`/accept-invite#<token>`), which browsers
 * never send to a server: read it once and take it out of the address bar and history.
 */
function tokenFromLink(): string {
  if (Platform.OS !== 'web' || typeof window === 'undefined') return '';
  const token = decodeURIComponent(window.location.hash.replace(/^#/, ''));
  if (token) window.history.replaceState(null, '', window.location.pathname);
  return token;
}

/** An invited person chooses their password (the invite comes from an admin's Users screen). */
export function AcceptInviteScreen({ navigation }: RootScreenProps<'AcceptInvite'>) {
  const dispatch = useAppDispatch();
  const [token, setToken] = useState(tokenFromLink);
  const [password, setPassword] = useState('');
  const form = useApiForm();

  const submit = () => form.submit(() => acceptInvite(dispatch, token.trim(), password));

  return (
    <Screen testID="accept-invite-screen" scroll style={{ maxWidth: 420 }}>
      <Title>{t('invite.title')}</Title>
      <Muted>{t('invite.intro')}</Muted>
      <TextField
        label={t('invite.code')}
        testID="accept-invite-token"
        value={token}
        onChangeText={setToken}
        autoCapitalize="none"
        autoComplete="off"
        autoCorrect={false}
        hint={t('invite.codeHint')}
        error={form.fields.token}
      />
      <PasswordField
        choosing
        testID="accept-invite-password"
        value={password}
        onChangeText={setPassword}
        error={form.fields.password}
        onSubmitEditing={submit}
      />
      <ErrorText testID="accept-invite-error">{form.error}</ErrorText>
      <Button
        title={t('invite.submit')}
        testID="accept-invite-submit"
        onPress={submit}
        busy={form.busy}
        disabled={!token.trim() || !password}
      />
      <Button
        variant="link"
        title={t('invite.toSignIn')}
        testID="accept-invite-to-signin"
        onPress={() => navigation.navigate('SignIn')}
      />
    </Screen>
  );
}
