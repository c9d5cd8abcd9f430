import { useEffect, useState } from 'react';
import { FlatList, StyleSheet, Text, View } from 'react-native';

import { toApiFailure } from '../../api/client';
import * as peopleApi from '../../api/people';
import { Avatar } from '../../components/Avatar';
import { Button } from '../../components/Button';
import { ErrorText, Muted, Title } from '../../components/Screen';
import { TextField } from '../../components/TextField';
import { t } from '../../i18n';
import { useAppDispatch, useAppSelector } from '../../state/hooks';
import {
  friendRequestReceived,
  selectContacts,
  selectFriendRequests,
  useSearchUsersQuery,
} from '../../state/queries/people';
import { useTheme } from '../../theme';
import { useOpenDirect } from '../Contacts/ContactsScreen';

export function UserSearchScreen() {
  const dispatch = useAppDispatch();
  const { colors } = useTheme();
  const me = useAppSelector((s) => s.auth.user);
  const contacts = useAppSelector(selectContacts);
  const outgoing = useAppSelector(selectFriendRequests).outgoing;
  const [q, setQ] = useState('');
  const [searched, setSearched] = useState('');
  const search = useSearchUsersQuery(searched, { skip: !searched });
  const [error, setError] = useState<string | null>(null);
  const openChat = useOpenDirect();
  const isStaff = me?.role === 'agent' || me?.role === 'admin';

  useEffect(() => {
    const h = setTimeout(() => {
      if (q.trim()) setSearched(q.trim());
    }, 250);
    return () => clearTimeout(h);
  }, [q]);

  const results = q.trim() ? (search.data?.items ?? []).filter((u) => u.id !== me?.id) : [];

  return (
    <View testID="user-search-screen" style={[styles.page, { backgroundColor: colors.background }]}>
      <FlatList
        contentContainerStyle={styles.content}
        data={results}
        keyExtractor={(u) => String(u.id)}
        keyboardShouldPersistTaps="handled"
        ListHeaderComponent={
          <View>
            <Title>{t('search.title')}</Title>
            <TextField
              label={t('field.search')}
              testID="user-search-input"
              value={q}
              onChangeText={setQ}
              placeholder={t('search.hint')}
              autoCapitalize="none"
            />
            <ErrorText>{error}</ErrorText>
          </View>
        }
        ListEmptyComponent={
          q.trim() && !search.isFetching ? (
            <Muted testID="user-search-empty">{t('search.empty')}</Muted>
          ) : null
        }
        renderItem={({ item: u }) => {
          const isContact = contacts.some((c) => c.user.id === u.id);
          const requested = outgoing.some((r) => r.to.id === u.id);
          return (
            <View
              testID={`user-row-${u.id}`}
              style={[styles.row, { backgroundColor: colors.surface, borderColor: colors.border }]}
            >
              <Avatar name={u.display_name} url={u.avatar_url} size={36} />
              <View style={{ flex: 1 }}>
                <Text style={[styles.name, { color: colors.text }]}>{u.display_name}</Text>
                <Text style={{ color: colors.textMuted, fontSize: 12 }}>
                  {t(`role.${u.role}`)}
                  {u.email ? ` · ${u.email}` : ''}
                </Text>
              </View>
              {isContact || isStaff ? (
                <Button
                  compact
                  variant="secondary"
                  title={t('contacts.messageShort')}
                  accessibilityLabel={t('search.message', { name: u.display_name })}
                  testID={`user-message-${u.id}`}
                  onPress={() => openChat(u.id).catch((e) => setError(toApiFailure(e).message))}
                />
              ) : null}
              {isContact ? (
                <Text style={{ color: colors.success }}>{t('search.contact')}</Text>
              ) : requested ? (
                <Text testID={`user-requested-${u.id}`} style={{ color: colors.textMuted }}>
                  {t('search.requested')}
                </Text>
              ) : (
                <Button
                  compact
                  title="+"
                  accessibilityLabel={t('search.add', { name: u.display_name })}
                  testID={`user-add-${u.id}`}
                  onPress={() =>
                    peopleApi
                      .sendFriendRequest(u.id)
                      .then((r) => dispatch(friendRequestReceived({ request: r, myId: me!.id })))
                      .catch((e) => setError(toApiFailure(e).message))
                  }
                />
              )}
            </View>
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
    padding: 10,
    borderWidth: 1,
    borderRadius: 10,
    marginBottom: 8,
    gap: 10,
  },
  name: { fontWeight: '600' },
});
