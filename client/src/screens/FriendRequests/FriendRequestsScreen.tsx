import { useState } from 'react';
import { StyleSheet, Text, View } from 'react-native';

import { toApiFailure } from '../../api/client';
import * as peopleApi from '../../api/people';
import type { FriendRequest } from '../../api/types';
import { Avatar } from '../../components/Avatar';
import { Button } from '../../components/Button';
import { ErrorText, Muted, Screen, Title } from '../../components/Screen';
import { t } from '../../i18n';
import { useAppDispatch, useAppSelector } from '../../state/hooks';
import {
  friendRequestReceived,
  peopleApiSlice,
  useGetFriendRequestsQuery,
} from '../../state/queries/people';
import { useTheme } from '../../theme';

export function FriendRequestsScreen() {
  const dispatch = useAppDispatch();
  const { colors } = useTheme();
  const me = useAppSelector((s) => s.auth.user);
  const { data } = useGetFriendRequestsQuery(undefined, { refetchOnMountOrArgChange: true });
  const incoming = data?.incoming ?? [];
  const outgoing = data?.outgoing ?? [];
  const [error, setError] = useState<string | null>(null);

  const act = async (
    fn: () => Promise<FriendRequest | void>,
    r: FriendRequest,
    status: FriendRequest['status'],
  ) => {
    setError(null);
    try {
      const res = await fn();
      dispatch(friendRequestReceived({ request: res ?? { ...r, status }, myId: me!.id }));
      if (status === 'accepted')
        void dispatch(
          peopleApiSlice.endpoints.getContacts.initiate(undefined, {
            subscribe: false,
            forceRefetch: true,
          }),
        );
    } catch (e) {
      setError(toApiFailure(e).message);
    }
  };

  const row = (r: FriendRequest, who: FriendRequest['from'], actions: React.ReactNode) => (
    <View
      key={r.id}
      testID={`request-row-${r.id}`}
      style={[styles.row, { backgroundColor: colors.surface, borderColor: colors.border }]}
    >
      <Avatar name={who.display_name} url={who.avatar_url} size={36} />
      <Text style={[styles.name, { color: colors.text }]}>{who.display_name}</Text>
      {actions}
    </View>
  );

  return (
    <Screen testID="friend-requests-screen" scroll>
      <Title>{t('requests.title')}</Title>
      <ErrorText>{error}</ErrorText>
      <Text style={[styles.section, { color: colors.textMuted }]}>{t('requests.incoming')}</Text>
      {incoming.length === 0 ? <Muted>{t('requests.empty')}</Muted> : null}
      {incoming.map((r) =>
        row(
          r,
          r.from,
          <View style={styles.actions}>
            <Button
              compact
              title={t('requests.accept')}
              testID={`request-accept-${r.id}`}
              onPress={() => act(() => peopleApi.acceptFriendRequest(r.id), r, 'accepted')}
            />
            <Button
              compact
              variant="secondary"
              title={t('requests.decline')}
              testID={`request-decline-${r.id}`}
              onPress={() => act(() => peopleApi.declineFriendRequest(r.id), r, 'declined')}
            />
          </View>,
        ),
      )}
      <Text style={[styles.section, { color: colors.textMuted }]}>{t('requests.outgoing')}</Text>
      {outgoing.length === 0 ? <Muted>{t('requests.empty')}</Muted> : null}
      {outgoing.map((r) =>
        row(
          r,
          r.to,
          <Button
            compact
            variant="secondary"
            title={t('requests.cancel')}
            testID={`request-cancel-${r.id}`}
            onPress={() => act(() => peopleApi.cancelFriendRequest(r.id), r, 'cancelled')}
          />,
        ),
      )}
    </Screen>
  );
}

const styles = StyleSheet.create({
  section: {
    fontWeight: '700',
    marginTop: 12,
    marginBottom: 6,
    textTransform: 'uppercase',
    fontSize: 12,
  },
  row: {
    flexDirection: 'row',
    alignItems: 'center',
    padding: 10,
    borderWidth: 1,
    borderRadius: 10,
    marginBottom: 8,
    gap: 10,
  },
  name: { flex: 1, fontWeight: '600' },
  actions: { flexDirection: 'row', gap: 6 },
});
