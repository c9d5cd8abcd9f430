import { useState } from 'react';
import { StyleSheet } from 'react-native';

import type { InvitedUser } from '../../api/admin';
import { failureText, type ApiFailure } from '../../api/client';
import { Button } from '../../components/Button';
import { ErrorText, Muted, Screen, Title } from '../../components/Screen';
import { TextField } from '../../components/TextField';
import { t } from '../../i18n';
import { useAppDispatch, useAppSelector } from '../../state/hooks';
import { loadMoreUsers, useAdminUsersQuery } from '../../state/queries/admin';
import { useRefetchOnFocus } from '../../state/queries/useRefetchOnFocus';
import { InviteCard } from './InviteCard';
import { InviteForm } from './InviteForm';
import { UserRow } from './UserRow';
import { useDebounced } from './useDebounced';

/** Admin: everyone's accounts, searchable and paged, and invites for new people. */
export function UsersScreen() {
  const dispatch = useAppDispatch();
  const myId = useAppSelector((s) => s.auth.user?.id);
  const [search, setSearch] = useState('');
  const q = useDebounced(search.trim());
  const page = useAdminUsersQuery({ q });
  useRefetchOnFocus(page.refetch);
  const [inviting, setInviting] = useState(false);
  const [invited, setInvited] = useState<InvitedUser | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);

  const created = (u: InvitedUser) => {
    setInviting(false);
    setInvited(u);
    void page.refetch();
  };

  const more = async () => {
    const cursor = page.data?.next_cursor;
    if (cursor == null) return;
    setLoadingMore(true);
    await dispatch(loadMoreUsers(q, cursor));
    setLoadingMore(false);
  };

  return (
    <Screen testID="admin-users" scroll>
      <Title>{t('admin.users.title')}</Title>
      <Muted>{t('admin.users.intro')}</Muted>
      {invited ? <InviteCard invited={invited} onDone={() => setInvited(null)} /> : null}
      {inviting ? (
        <InviteForm onCreated={created} onCancel={() => setInviting(false)} />
      ) : (
        <Button
          icon="person-add-outline"
          title={t('admin.users.invite')}
          testID="users-invite"
          style={styles.invite}
          onPress={() => {
            setInvited(null);
            setInviting(true);
          }}
        />
      )}
      <TextField
        label={t('admin.users.search')}
        testID="users-search"
        value={search}
        onChangeText={setSearch}
        autoCapitalize="none"
        autoComplete="off"
        inputMode="search"
      />
      <ErrorText testID="users-error">
        {page.error ? failureText(page.error as ApiFailure) : null}
      </ErrorText>
      {page.data && page.data.items.length === 0 ? (
        <Muted testID="users-empty">{t('admin.users.empty')}</Muted>
      ) : null}
      {page.data?.items.map((u) => (
        <UserRow key={u.id} user={u} isMe={u.id === myId} onInvited={setInvited} />
      ))}
      {page.data?.next_cursor != null ? (
        <Button
          variant="secondary"
          title={t('common.loadMore')}
          testID="users-more"
          busy={loadingMore}
          style={styles.invite}
          onPress={() => void more()}
        />
      ) : null}
    </Screen>
  );
}

const styles = StyleSheet.create({
  invite: { marginVertical: 12, alignSelf: 'flex-start' },
});
