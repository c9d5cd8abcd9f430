import { useNavigation } from '@react-navigation/native';
import { FlatList, Pressable, StyleSheet, Text, View } from 'react-native';

import { AttentionSettings } from '../../components/Attention';
import { Button } from '../../components/Button';
import { Muted, Title } from '../../components/Screen';
import { formatTime, t } from '../../i18n';
import {
  useGetNotificationsQuery,
  useMarkAllNotificationsReadMutation,
  useMarkNotificationReadMutation,
} from '../../state/queries/notifications';
import { useRefetchOnFocus } from '../../state/queries/useRefetchOnFocus';
import { useTheme } from '../../theme';

export function NotificationsScreen() {
  const navigation = useNavigation();
  const { colors } = useTheme();
  const { data, refetch } = useGetNotificationsQuery();
  useRefetchOnFocus(refetch);
  const items = data?.items ?? [];
  const unreadCount = data?.unread_count ?? 0;
  const [markRead] = useMarkNotificationReadMutation();
  const [markAllRead] = useMarkAllNotificationsReadMutation();

  return (
    <View
      testID="notifications-screen"
      style={[styles.page, { backgroundColor: colors.background }]}
    >
      <FlatList
        contentContainerStyle={styles.content}
        data={items}
        keyExtractor={(n) => String(n.id)}
        ListHeaderComponent={
          <View>
            <AttentionSettings />
            <View style={styles.head}>
              <Title>{t('notifications.title')}</Title>
              {unreadCount > 0 ? (
                <Button
                  compact
                  variant="secondary"
                  title={t('notifications.readAll')}
                  testID="notifications-read-all"
                  onPress={() => void markAllRead()}
                />
              ) : null}
            </View>
          </View>
        }
        ListEmptyComponent={<Muted testID="notifications-empty">{t('notifications.empty')}</Muted>}
        renderItem={({ item: n }) => (
          <Pressable
            testID={`notification-${n.id}`}
            accessibilityRole="button"
            accessibilityLabel={`${n.title}. ${n.body}`}
            accessibilityState={{ selected: !n.read }}
            onPress={() => {
              if (!n.read) void markRead(n.id);
              if (n.ticket_id) navigation.navigate('TicketDetail', { id: n.ticket_id });
              else if (n.conversation_id) navigation.navigate('Chat', { id: n.conversation_id });
            }}
            style={[
              styles.row,
              {
                backgroundColor: n.read ? colors.surface : colors.surfaceAlt,
                borderColor: n.read ? colors.border : colors.primary,
              },
            ]}
          >
            <Text style={[styles.title, { color: colors.text }]}>
              {n.read ? '' : '● '}
              {n.title}
            </Text>
            <Text style={{ color: colors.textMuted }}>{n.body}</Text>
            <Text style={{ color: colors.textMuted, fontSize: 12, marginTop: 4 }}>
              {formatTime(n.created_at)}
            </Text>
          </Pressable>
        )}
      />
    </View>
  );
}

const styles = StyleSheet.create({
  page: { flex: 1 },
  content: { padding: 16, width: '100%', maxWidth: 900, alignSelf: 'center' },
  head: { flexDirection: 'row', justifyContent: 'space-between', alignItems: 'flex-start' },
  row: { padding: 12, borderWidth: 1, borderRadius: 10, marginBottom: 8 },
  title: { fontWeight: '600' },
});
