import { StyleSheet, Text, View } from 'react-native';

import { t, type StringKey } from '../i18n';
import { useAppSelector } from '../state/hooks';
import { useTheme } from '../theme';

const messages: Partial<Record<string, StringKey>> = {
  offline: 'banner.offline',
  unreachable: 'banner.unreachable',
  reauthenticating: 'banner.reauthenticating',
};

/** Says when real-time is down and why. Hidden while online or on the first connect. */
export function ConnectionBanner() {
  const status = useAppSelector((s) => s.connection.status);
  const signedIn = useAppSelector((s) => s.auth.status === 'signedIn');
  const { colors } = useTheme();
  const key = messages[status];
  if (!signedIn || !key) return null;
  const bg =
    status === 'unreachable'
      ? colors.danger
      : status === 'offline'
        ? colors.bannerOffline
        : colors.warning;
  return (
    <View
      testID="connection-banner"
      accessibilityRole="alert"
      accessibilityLiveRegion="polite"
      style={[styles.banner, { backgroundColor: bg }]}
    >
      <Text
        testID={`connection-banner-${status}`}
        style={[styles.text, { color: colors.onBanner }]}
      >
        {t(key)}
      </Text>
    </View>
  );
}

const styles = StyleSheet.create({
  banner: { paddingVertical: 6, paddingHorizontal: 12 },
  text: { textAlign: 'center', fontSize: 13, fontWeight: '600' },
});
