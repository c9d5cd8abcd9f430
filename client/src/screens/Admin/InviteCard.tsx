import { Platform, Share, StyleSheet, Text, View } from 'react-native';

import type { InvitedUser } from '../../api/admin';
import { Button } from '../../components/Button';
import { TextField } from '../../components/TextField';
import { apiBaseUrl } from '../../config';
import { t } from '../../i18n';
import { inviteLink } from '../../state/queries/admin';
import { useTheme } from '../../theme';

/**
 * The invite just made, shown once: the link (web) and the bare code (for the phone app). The
 * server keeps no copy, so closing this is the end of it; "New invite" makes another.
 */
export function InviteCard({ invited, onDone }: { invited: InvitedUser; onDone: () => void }) {
  const { colors, radius } = useTheme();
  const link = inviteLink(apiBaseUrl(), invited.invite.token);
  const name = invited.user.display_name;
  const expires = new Date(invited.invite.expires_at).toLocaleString('en');
  return (
    <View
      testID="invite-card"
      accessibilityLiveRegion="polite"
      style={[
        styles.card,
        { borderColor: colors.primary, backgroundColor: colors.surface, borderRadius: radius },
      ]}
    >
      <Text accessibilityRole="header" style={[styles.title, { color: colors.text }]}>
        {t('admin.users.inviteFor', { name })}
      </Text>
      <Text style={{ color: colors.textMuted }}>
        {t('admin.users.inviteHelp', { name, expires })}
      </Text>
      <TextField
        label={t('admin.users.inviteLink')}
        testID="invite-link"
        value={link}
        editable={false}
        selectTextOnFocus
      />
      <TextField
        label={t('admin.users.inviteCode')}
        testID="invite-code"
        value={invited.invite.token}
        editable={false}
        selectTextOnFocus
        multiline
      />
      <View style={styles.actions}>
        {Platform.OS === 'web' ? null : (
          <Button
            variant="secondary"
            compact
            icon="share-outline"
            title={t('admin.users.share')}
            testID="invite-share"
            onPress={() => void Share.share({ message: link })}
          />
        )}
        <Button compact title={t('admin.users.done')} testID="invite-done" onPress={onDone} />
      </View>
    </View>
  );
}

const styles = StyleSheet.create({
  card: { borderWidth: 2, padding: 12, marginVertical: 12, gap: 4 },
  title: { fontSize: 16, fontWeight: '700' },
  actions: { flexDirection: 'row', gap: 8, justifyContent: 'flex-end' },
});
