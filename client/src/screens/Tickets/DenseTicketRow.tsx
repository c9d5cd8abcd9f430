import { Pressable, StyleSheet, Text, View } from 'react-native';

import type { Ticket } from '../../api/types';
import { PriorityBadge, StatusBadge } from '../../components/Badge';
import { formatTime, t } from '../../i18n';
import { useTheme } from '../../theme';
import { formatLeft, slaState } from './sla';

/**
 * A ticket in the desktop workspace's list: two short lines (number, subject, unread dot, last
 * activity; status, priority, SLA, requester → assignee), about twice as many per screen.
 */
export function DenseTicketRow({
  ticket,
  unread,
  onPress,
  selected,
  open,
  now,
}: {
  ticket: Ticket;
  unread: number;
  onPress: () => void;
  /** The keyboard cursor (j/k) is on this row. */
  selected?: boolean;
  /** This ticket is the one shown next to the list. */
  open?: boolean;
  now: number;
}) {
  const { colors } = useTheme();
  const sla = slaState(ticket, now);
  return (
    <Pressable
      testID={`ticket-row-${ticket.number}`}
      accessibilityRole="button"
      accessibilityLabel={`#${ticket.number} ${ticket.subject}, ${t(`status.${ticket.status}`)}, ${t(`priority.${ticket.priority}`)}`}
      onPress={onPress}
      style={({ pressed }) => [
        styles.row,
        {
          backgroundColor: open || pressed ? colors.surfaceAlt : colors.surface,
          borderColor: colors.border,
          borderLeftColor: selected || open ? colors.primary : 'transparent',
        },
      ]}
    >
      <View style={styles.line}>
        {selected ? (
          <Text testID={`ticket-row-${ticket.number}-cursor`} style={{ color: colors.primary }}>
            ▸
          </Text>
        ) : null}
        <View
          testID={unread > 0 ? `ticket-unread-${ticket.number}` : undefined}
          accessibilityLabel={unread > 0 ? t('tickets.unread', { count: unread }) : undefined}
          style={[styles.dot, { backgroundColor: unread > 0 ? colors.primary : 'transparent' }]}
        />
        <Text style={[styles.number, { color: colors.textMuted }]}>#{ticket.number}</Text>
        <Text
          numberOfLines={1}
          style={[styles.subject, { color: colors.text, fontWeight: unread > 0 ? '700' : '600' }]}
        >
          {ticket.subject}
        </Text>
        <Text style={[styles.small, { color: colors.textMuted }]}>
          {formatTime(ticket.updated_at)}
        </Text>
      </View>
      <View style={styles.line}>
        <StatusBadge status={ticket.status} testID={`ticket-status-${ticket.number}`} />
        <PriorityBadge priority={ticket.priority} />
        {sla ? (
          <Text
            testID={`ticket-sla-${ticket.number}`}
            style={[
              styles.small,
              styles.sla,
              {
                color: sla.breached
                  ? colors.danger
                  : sla.paused
                    ? colors.textMuted
                    : sla.leftMs < 3_600_000
                      ? colors.warning
                      : colors.textMuted,
              },
            ]}
          >
            {sla.breached
              ? t('tickets.slaBreached')
              : sla.paused
                ? t('tickets.slaPaused', { time: formatLeft(sla.leftMs) })
                : t('tickets.slaLeft', { time: formatLeft(sla.leftMs) })}
          </Text>
        ) : null}
        <Text numberOfLines={1} style={[styles.small, styles.people, { color: colors.textMuted }]}>
          {ticket.requester.display_name} →{' '}
          {ticket.assignee ? ticket.assignee.display_name : t('tickets.unassigned')}
        </Text>
      </View>
    </Pressable>
  );
}

const styles = StyleSheet.create({
  row: {
    paddingVertical: 6,
    paddingHorizontal: 8,
    borderBottomWidth: 1,
    borderLeftWidth: 3,
    gap: 4,
  },
  line: { flexDirection: 'row', alignItems: 'center', gap: 6 },
  dot: { width: 8, height: 8, borderRadius: 4 },
  number: { fontSize: 13, fontWeight: '600' },
  subject: { flex: 1, fontSize: 14 },
  small: { fontSize: 12 },
  sla: { fontWeight: '600' },
  people: { flex: 1, textAlign: 'right' },
});
