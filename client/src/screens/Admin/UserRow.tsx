import { useState } from 'react';
import { StyleSheet, Text, View } from 'react-native';

import type { InvitedUser } from '../../api/admin';
import { failureText, type ApiFailure } from '../../api/client';
import type { User } from '../../api/types';
import { Button } from '../../components/Button';
import { Chips } from '../../components/Chips';
import { ErrorText } from '../../components/Screen';
import { t } from '../../i18n';
import {
  useReinviteAdminUserMutation,
  useUpdateAdminUserMutation,
} from '../../state/queries/admin';
import { useTheme } from '../../theme';
import { roleOptions } from './InviteForm';

/** One account: its role, disable/re-enable, and a new invite. Admins can't change themselves. */
export function UserRow({
  user,
  isMe,
  onInvited,
}: {
  user: User;
  isMe: boolean;
  onInvited: (invited: InvitedUser) => void;
}) {
  const { colors, radius } = useTheme();
  const [update, updating] = useUpdateAdminUserMutation();
  const [reinvite, reinviting] = useReinviteAdminUserMutation();
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const name = user.display_name;

  const run = async (action: () => Promise<unknown>) => {
    setError(null);
    try {
      await action();
    } catch (e) {
      setError(failureText(e as ApiFailure));
    }
  };

  return (
    <View
      testID={`user-row-${user.id}`}
      style={[
        styles.row,
        { borderColor: colors.border, backgroundColor: colors.surface, borderRadius: radius },
      ]}
    >
      <Text style={[styles.name, { color: colors.text }]}>
        {name}
        {isMe ? <Text style={{ color: colors.textMuted }}> · {t('admin.users.you')}</Text> : null}
        {user.disabled ? (
          <Text testID={`user-disabled-${user.id}`} style={{ color: colors.danger }}>
            {' '}
            · {t('admin.users.disabled')}
          </Text>
        ) : null}
      </Text>
      <Text style={{ color: colors.textMuted }}>{user.email}</Text>
      <Chips
        label={t('admin.users.roleOf', { name })}
        testID={`user-role-${user.id}`}
        options={roleOptions()}
        value={user.role}
        disabled={isMe || updating.isLoading}
        onChange={(role) => {
          if (role !== user.role) void run(() => update({ id: user.id, role }).unwrap());
        }}
      />
      {isMe ? null : confirming ? (
        <View style={styles.actions}>
          <Text style={{ color: colors.text, flexShrink: 1 }}>
            {t('admin.users.confirmReinvite', { name })}
          </Text>
          <Button
            variant="danger"
            compact
            title={t('admin.users.reinvite')}
            testID={`user-reinvite-confirm-${user.id}`}
            busy={reinviting.isLoading}
            onPress={() =>
              void run(async () => {
                onInvited(await reinvite(user.id).unwrap());
                setConfirming(false);
              })
            }
          />
          <Button
            variant="secondary"
            compact
            title={t('common.cancel')}
            testID={`user-reinvite-cancel-${user.id}`}
            onPress={() => setConfirming(false)}
          />
        </View>
      ) : (
        <View style={styles.actions}>
          <Button
            variant={user.disabled ? 'secondary' : 'danger'}
            compact
            title={user.disabled ? t('admin.users.enable') : t('admin.users.disable')}
            accessibilityLabel={t(
              user.disabled ? 'admin.users.enableLabel' : 'admin.users.disableLabel',
              { name },
            )}
            testID={`user-disable-${user.id}`}
            busy={updating.isLoading}
            onPress={() =>
              void run(() => update({ id: user.id, disabled: !user.disabled }).unwrap())
            }
          />
          <Button
            variant="secondary"
            compact
            title={t('admin.users.reinvite')}
            accessibilityLabel={t('admin.users.reinviteLabel', { name })}
            testID={`user-reinvite-${user.id}`}
            onPress={() => setConfirming(true)}
          />
        </View>
      )}
      <ErrorText testID={`user-error-${user.id}`}>{error}</ErrorText>
    </View>
  );
}

const styles = StyleSheet.create({
  row: { borderWidth: 1, padding: 12, marginVertical: 6, gap: 6 },
  name: { fontWeight: '600', fontSize: 15 },
  actions: { flexDirection: 'row', flexWrap: 'wrap', gap: 8, alignItems: 'center' },
});
