import { Pressable, StyleSheet, Text, View } from 'react-native';

import type { Ticket } from '../../api/types';
import { CountBubble, PriorityBadge, StatusBadge } from '../../components/Badge';
import { formatTime, t } from '../../i18n';
import { useTheme } from '../../theme';

export function TicketRow({
  ticket,
  unread,
  onPress,
  selected,
}: {
  ticket: Ticket;
  unread: number;
  onPress: () => void;
  /** The keyboard cursor (j/k) is on this row. */
  selected?: boolean;
}) {
  const { colors, radius } = useTheme();
  return (
    <Pressable
      testID={`ticket-row-${ticket.number}`}
      accessibilityRole="button"
      accessibilityLabel={`#${ticket.number} ${ticket.subject}, ${t(`status.${ticket.status}`)}, ${t(`priority.${ticket.priority}`)}`}
      onPress={onPress}
      style={({ pressed }) => [
        styles.row,
        {
          backgroundColor: pressed || selected ? colors.surfaceAlt : colors.surface,
          borderColor: selected ? colors.primary : colors.border,
          borderRadius: radius,
        },
        selected && styles.selected,
      ]}
    >
      <View style={styles.head}>
        {selected ? (
          <Text testID={`ticket-row-${ticket.number}-cursor`} style={{ color: colors.primary }}>
            ▸
          </Text>
        ) : null}
        <Text style={[styles.number, { color: colors.textMuted }]}>#{ticket.number}</Text>
        <Text numberOfLines={1} style={[styles.subject, { color: colors.text }]}>
          {ticket.subject}
        </Text>
        <CountBubble count={unread} testID={`ticket-unread-${ticket.number}`} />
      </View>
      <View style={styles.meta}>
        <StatusBadge status={ticket.status} testID={`ticket-status-${ticket.number}`} />
        <PriorityBadge priority={ticket.priority} />
        <Text style={{ color: colors.textMuted, fontSize: 12, flexShrink: 1 }} numberOfLines={1}>
          {ticket.assignee
            ? t('tickets.assignedTo', { name: ticket.assignee.display_name })
            : t('tickets.unassigned')}
          {ticket.team ? ` · ${ticket.team.name}` : ''} · {ticket.requester.display_name} ·{' '}
          {formatTime(ticket.updated_at)}
        </Text>
      </View>
    </Pressable>
  );
}

const styles = StyleSheet.create({
  row: { padding: 12, borderWidth: 1, marginBottom: 8 },
  selected: { borderWidth: 2, padding: 11 },
  head: { flexDirection: 'row', alignItems: 'center', gap: 8 },
  number: { fontWeight: '600' },
  subject: { flex: 1, fontSize: 16, fontWeight: '600' },
  meta: { flexDirection: 'row', alignItems: 'center', marginTop: 6, flexWrap: 'wrap' },
});
