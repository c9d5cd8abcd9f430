import { useNavigation } from '@react-navigation/native';
import { FlatList, Pressable, StyleSheet, Text, View } from 'react-native';

import { Avatar } from '../../components/Avatar';
import { CountBubble } from '../../components/Badge';
import { Muted, Title } from '../../components/Screen';
import { formatTime, t } from '../../i18n';
import { sortedConversations } from '../../state/conversations';
import { useAppSelector } from '../../state/hooks';
import { useGetConversationsQuery } from '../../state/queries/conversations';
import { useRefetchOnFocus } from '../../state/queries/useRefetchOnFocus';
import { unreadIn } from '../../state/unread';
import { useTheme } from '../../theme';
import { Icon } from '../../components/Icon';

export function ConversationsScreen() {
  const navigation = useNavigation();
  const { colors } = useTheme();
  const me = useAppSelector((s) => s.auth.user);
  const state = useAppSelector((s) => s.conversations);
  const presence = useAppSelector((s) => s.presence.byUser);
  const unread = useAppSelector((s) => s.unread);
  const list = sortedConversations(state, 'direct');
  // The list itself is merged into the `conversations` slice, where frames keep it live.
  useRefetchOnFocus(useGetConversationsQuery().refetch);

  return (
    <View
      testID="conversations-screen"
      style={[styles.page, { backgroundColor: colors.background }]}
    >
      <FlatList
        contentContainerStyle={styles.content}
        data={list}
        keyExtractor={(c) => String(c.id)}
        ListHeaderComponent={<Title>{t('chats.title')}</Title>}
        ListEmptyComponent={<Muted testID="conversations-empty">{t('chats.empty')}</Muted>}
        renderItem={({ item: c }) => {
          const other = c.members.find((m) => m.user_id !== me?.id);
          const name = other?.display_name ?? c.title;
          const last = c.last_message;
          return (
            <Pressable
              testID={`conversation-row-${c.id}`}
              accessibilityRole="button"
              accessibilityLabel={name}
              onPress={() => navigation.navigate('Chat', { id: c.id })}
              style={({ pressed }) => [
                styles.row,
                {
                  backgroundColor: pressed ? colors.surfaceAlt : colors.surface,
                  borderColor: colors.border,
                },
              ]}
            >
              <Avatar
                name={name}
                url={other?.avatar_url}
                online={other ? (presence[String(other.user_id)] ?? null) : null}
              />
              <View style={styles.text}>
                <Text style={[styles.name, { color: colors.text }]}>{name}</Text>
                <Text numberOfLines={1} style={{ color: colors.textMuted }}>
                  {last ? last.body || <Icon name="attach" /> : t('chats.noMessages')}
                </Text>
              </View>
              <View style={styles.side}>
                <Text style={{ color: colors.textMuted, fontSize: 12 }}>
                  {formatTime(last?.created_at)}
                </Text>
                <CountBubble
                  count={unreadIn(unread, c.id, c)}
                  testID={`conversation-unread-${c.id}`}
                />
              </View>
            </Pressable>
          );
        }}
      />
    </View>
  );
}

const styles = StyleSheet.create({
  page: { flex: 1 },
  content: { padding: 16, width: '100%', maxWidth: 900, alignSelf: 'center' },
  row: {
    flexDirection: 'row',
    alignItems: 'center',
    padding: 12,
    borderWidth: 1,
    borderRadius: 10,
    marginBottom: 8,
    gap: 12,
  },
  text: { flex: 1 },
  name: { fontWeight: '600', fontSize: 16 },
  side: { alignItems: 'flex-end', gap: 4 },
});
