import { StyleSheet, Text, View } from 'react-native';

import type { Priority, TicketStatus } from '../api/types';
import { t } from '../i18n';
import { useTheme } from '../theme';

export function Badge({ label, color, testID }: { label: string; color: string; testID?: string }) {
  return (
    <View testID={testID} style={[styles.badge, { borderColor: color }]}>
      <Text style={[styles.text, { color }]}>{label}</Text>
    </View>
  );
}

export function StatusBadge({ status, testID }: { status: TicketStatus; testID?: string }) {
  const { colors } = useTheme();
  const color =
    status === 'open'
      ? colors.primary
      : status === 'in_progress'
        ? colors.warning
        : status === 'pending'
          ? colors.text
          : colors.textMuted;
  return <Badge testID={testID} label={t(`status.${status}`)} color={color} />;
}

export function PriorityBadge({ priority, testID }: { priority: Priority; testID?: string }) {
  const { colors } = useTheme();
  const color =
    priority === 'urgent'
      ? colors.danger
      : priority === 'high'
        ? colors.warning
        : priority === 'medium'
          ? colors.primary
          : colors.textMuted;
  return <Badge testID={testID} label={t(`priority.${priority}`)} color={color} />;
}

export function CountBubble({ count, testID }: { count: number; testID?: string }) {
  const { colors } = useTheme();
  if (count <= 0) return null;
  return (
    <View
      testID={testID}
      accessibilityLabel={t('tickets.unread', { count })}
      style={[styles.count, { backgroundColor: colors.primary }]}
    >
      <Text style={[styles.countText, { color: colors.onPrimary }]}>{count}</Text>
    </View>
  );
}

const styles = StyleSheet.create({
  badge: {
    borderWidth: 1,
    borderRadius: 999,
    paddingHorizontal: 8,
    paddingVertical: 2,
    marginRight: 6,
  },
  text: { fontSize: 12, fontWeight: '600' },
  count: {
    minWidth: 22,
    height: 22,
    borderRadius: 11,
    alignItems: 'center',
    justifyContent: 'center',
    paddingHorizontal: 6,
  },
  countText: { fontSize: 12, fontWeight: '700' },
});
