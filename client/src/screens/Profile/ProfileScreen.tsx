import { useNavigation } from '@react-navigation/native';
import { useState } from 'react';
import { StyleSheet, Text, View } from 'react-native';

import { updateMe } from '../../api/auth';
import { toApiFailure } from '../../api/client';
import { myExportPath } from '../../api/exports';
import { uploadAvatar } from '../../api/files';
import { updateSessionUser } from '../../api/session';
import { Avatar } from '../../components/Avatar';
import { Button } from '../../components/Button';
import { ErrorText, Muted, Screen, Title } from '../../components/Screen';
import { TextField } from '../../components/TextField';
import { t } from '../../i18n';
import { canDownload, downloadPath } from '../../lib/download';
import { pickImage } from '../../lib/pickFile';
import { isStaffRole, userUpdated } from '../../state/auth';
import { useAppDispatch, useAppSelector } from '../../state/hooks';
import { signOut } from '../../state/session';
import { useTheme } from '../../theme';
import { MyTeams } from './MyTeams';
import { PushSettings } from './PushSettings';

export function ProfileScreen() {
  const dispatch = useAppDispatch();
  const navigation = useNavigation();
  const { colors } = useTheme();
  const user = useAppSelector((s) => s.auth.user);
  const [name, setName] = useState(user?.display_name ?? '');
  const [busy, setBusy] = useState<'avatar' | 'name' | 'signout' | 'export' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [avatarVersion, setAvatarVersion] = useState(0);
  if (!user) return null;

  const apply = (u: typeof user) => {
    dispatch(userUpdated(u));
    updateSessionUser(u);
  };

  const changeAvatar = async () => {
    setError(null);
    const file = await pickImage();
    if (!file) return;
    setBusy('avatar');
    try {
      apply(await uploadAvatar(file));
      setAvatarVersion(Date.now());
    } catch (e) {
      setError(toApiFailure(e).message);
    } finally {
      setBusy(null);
    }
  };

  const saveName = async () => {
    setBusy('name');
    setError(null);
    try {
      apply(await updateMe({ display_name: name.trim() }));
      setSaved(true);
    } catch (e) {
      setError(toApiFailure(e).message);
    } finally {
      setBusy(null);
    }
  };

  const exportMyData = async () => {
    setBusy('export');
    setError(null);
    try {
      await downloadPath(myExportPath, `switchboard-export-${user.id}.zip`);
    } catch (e) {
      setError(toApiFailure(e).message);
    } finally {
      setBusy(null);
    }
  };

  return (
    <Screen testID="profile-screen" scroll style={{ maxWidth: 520 }}>
      <Title>{t('profile.title')}</Title>
      <View style={styles.head}>
        <Avatar
          name={user.display_name}
          url={user.avatar_url}
          size={88}
          version={avatarVersion}
          testID="profile-avatar"
        />
        <View style={{ flex: 1 }}>
          <Text testID="profile-name" style={[styles.name, { color: colors.text }]}>
            {user.display_name}
          </Text>
          <Muted testID="profile-email">{user.email}</Muted>
          <Muted>{t('profile.role', { role: t(`role.${user.role}`) })}</Muted>
          {isStaffRole(user.role) ? <MyTeams /> : null}
        </View>
      </View>
      <Button
        variant="secondary"
        title={t('profile.changeAvatar')}
        testID="profile-avatar-change"
        busy={busy === 'avatar'}
        onPress={() => void changeAvatar()}
      />
      <View style={{ marginTop: 16 }}>
        <TextField
          label={t('field.displayName')}
          testID="profile-display-name"
          value={name}
          onChangeText={(v) => {
            setName(v);
            setSaved(false);
          }}
        />
        <Button
          title={saved ? t('profile.saved') : t('common.save')}
          testID="profile-save"
          busy={busy === 'name'}
          disabled={!name.trim() || name.trim() === user.display_name}
          onPress={() => void saveName()}
        />
      </View>
      <ErrorText testID="profile-error">{error}</ErrorText>
      <PushSettings />
      {isStaffRole(user.role) ? (
        <Button
          variant="secondary"
          icon="chatbox-ellipses-outline"
          title={t('profile.canned')}
          testID="profile-canned"
          style={{ marginTop: 16 }}
          onPress={() => navigation.navigate('CannedResponses')}
        />
      ) : null}
      {user.role === 'admin' ? (
        <Button
          variant="secondary"
          icon="settings-outline"
          title={t('profile.admin')}
          testID="profile-admin"
          style={{ marginTop: 12 }}
          onPress={() => navigation.navigate('Admin')}
        />
      ) : null}
      {canDownload ? (
        <View style={{ marginTop: 12 }}>
          <Button
            variant="secondary"
            icon="download-outline"
            title={t('profile.export')}
            testID="profile-export"
            busy={busy === 'export'}
            onPress={() => void exportMyData()}
          />
          <Muted>{t('profile.exportHint')}</Muted>
        </View>
      ) : null}
      <Button
        variant="danger"
        title={t('profile.signOut')}
        testID="profile-sign-out"
        busy={busy === 'signout'}
        style={{ marginTop: 24 }}
        onPress={() => {
          setBusy('signout');
          void signOut(dispatch);
        }}
      />
    </Screen>
  );
}

const styles = StyleSheet.create({
  head: { flexDirection: 'row', alignItems: 'center', gap: 16, marginBottom: 16 },
  name: { fontSize: 20, fontWeight: '700' },
});
