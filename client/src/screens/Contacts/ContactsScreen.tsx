import { useNavigation } from '@react-navigation/native';
import { useCallback, useMemo, useState } from 'react';
import { FlatList, StyleSheet, Text, View } from 'react-native';

import { toApiFailure } from '../../api/client';
import { openDirect } from '../../api/conversations';
import { removeContact } from '../../api/people';
import type { Id } from '../../api/types';
import { Avatar } from '../../components/Avatar';
import { Button } from '../../components/Button';
import { ErrorText, Muted, Title } from '../../components/Screen';
import { t } from '../../i18n';
import { conversationUpserted } from '../../state/conversations';
import { useAppDispatch, useAppSelector } from '../../state/hooks';
import {
  contactRemoved,
  useGetContactsQuery,
  useGetFriendRequestsQuery,
} from '../../state/queries/people';
import { useRefetchOnFocus } from '../../state/queries/useRefetchOnFocus';
import { useTheme } from '../../theme';

/** Opens (or creates) the direct conversation with a user and shows it. */
export function useOpenDirect() {
  const dispatch = useAppDispatch();
  const navigation = useNavigation();
  return useCallback(
    async (userId: Id) => {
      const c = await openDirect(userId);
      dispatch(conversationUpserted(c));
      navigation.navigate('Chat', { id: c.id });
    },
    [dispatch, navigation],
  );
}

export function ContactsScreen() {
  const navigation = useNavigation();
  const dispatch = useAppDispatch();
  const { colors } = useTheme();
  const contacts = useGetContactsQuery();
  const requests = useGetFriendRequestsQuery();
  const incoming = requests.data?.incoming.length ?? 0;
  const presence = useAppSelector((s) => s.presence.byUser);
  const openChat = useOpenDirect();
  const [error, setError] = useState<string | null>(null);

  const { refetch: refetchContacts } = contacts;
  const { refetch: refetchRequests } = requests;
  useRefetchOnFocus(
    useCallback(() => {
      refetchContacts();
      refetchRequests();
    }, [refetchContacts, refetchRequests]),
  );

  // Live presence wins over the list's snapshot.
  const list = useMemo(
    () =>
      (contacts.data ?? [])
        .map((c) => ({ ...c, online: presence[String(c.user.id)] ?? c.online }))
        .sort(
          (a, b) =>
            Number(b.online) - Number(a.online) ||
            a.user.display_name.localeCompare(b.user.display_name),
        ),
    [contacts.data, presence],
  );

  return (
    <View testID="contacts-screen" style={[styles.page, { backgroundColor: colors.background }]}>
      <FlatList
        contentContainerStyle={styles.content}
        data={list}
        keyExtractor={(c) => String(c.user.id)}
        ListHeaderComponent={
          <View>
            <Title>{t('contacts.title')}</Title>
            <View style={styles.actions}>
              <Button
                compact
                variant="secondary"
                title={
                  incoming
                    ? t('contacts.requestsCount', { count: incoming })
                    : t('contacts.requests')
                }
                testID="contacts-requests"
                onPress={() => navigation.navigate('FriendRequests')}
              />
              <Button
                compact
                title={t('contacts.find')}
                testID="contacts-find"
                onPress={() => navigation.navigate('UserSearch')}
              />
            </View>
            <ErrorText>{error}</ErrorText>
          </View>
        }
        ListEmptyComponent={<Muted testID="contacts-empty">{t('contacts.empty')}</Muted>}
        renderItem={({ item: c }) => (
          <View
            testID={`contact-row-${c.user.id}`}
            style={[styles.row, { backgroundColor: colors.surface, borderColor: colors.border }]}
          >
            <Avatar name={c.user.display_name} url={c.user.avatar_url} online={c.online} />
            <View style={{ flex: 1 }}>
              <Text style={[styles.name, { color: colors.text }]}>{c.user.display_name}</Text>
              <Text
                testID={`contact-presence-${c.user.id}`}
                style={{ color: c.online ? colors.success : colors.textMuted }}
              >
                {c.online ? t('contacts.online') : t('contacts.offline')}
              </Text>
            </View>
            <Button
              compact
              title={t('contacts.messageShort')}
              accessibilityLabel={t('contacts.message', { name: c.user.display_name })}
              testID={`contact-message-${c.user.id}`}
              onPress={() => openChat(c.user.id).catch((e) => setError(toApiFailure(e).message))}
            />
            <Button
              compact
              variant="link"
              title=""
              icon="close"
              accessibilityLabel={t('contacts.remove', { name: c.user.display_name })}
              testID={`contact-remove-${c.user.id}`}
              onPress={() =>
                removeContact(c.user.id)
                  .then(() => dispatch(contactRemoved(c.user.id)))
                  .catch((e) => setError(toApiFailure(e).message))
              }
            />
          </View>
        )}
      />
    </View>
  );
}

const styles = StyleSheet.create({
  page: { flex: 1 },
  content: { padding: 16, width: '100%', maxWidth: 900, alignSelf: 'center' },
  actions: { flexDirection: 'row', gap: 8, marginBottom: 12 },
  row: {
    flexDirection: 'row',
    alignItems: 'center',
    padding: 12,
    borderWidth: 1,
    borderRadius: 10,
    marginBottom: 8,
    gap: 12,
  },
  name: { fontWeight: '600', fontSize: 16 },
});
