import { useState } from 'react';
import { StyleSheet, Text, View } from 'react-native';

import { failureText, type ApiFailure } from '../../api/client';
import type { CannedResponse, Id, NewCannedResponse } from '../../api/types';
import { Button } from '../../components/Button';
import { ErrorText, Muted, Screen, Title } from '../../components/Screen';
import { t } from '../../i18n';
import { useAppSelector } from '../../state/hooks';
import {
  useCreateCannedResponseMutation,
  useDeleteCannedResponseMutation,
  useGetCannedResponsesQuery,
  useUpdateCannedResponseMutation,
} from '../../state/queries/canned';
import { useRefetchOnFocus } from '../../state/queries/useRefetchOnFocus';
import { useTheme } from '../../theme';
import { CannedForm } from './CannedForm';

/** Staff: their own canned responses, and (admins) the ones shared with the desk. */
export function CannedResponsesScreen() {
  const { colors } = useTheme();
  const admin = useAppSelector((s) => s.auth.user?.role === 'admin');
  const list = useGetCannedResponsesQuery();
  useRefetchOnFocus(list.refetch);
  const [create] = useCreateCannedResponseMutation();
  const [update] = useUpdateCannedResponseMutation();
  const [remove] = useDeleteCannedResponseMutation();
  // The form: closed, a new response, or the one with this id.
  const [form, setForm] = useState<'new' | Id | null>(null);
  const [confirming, setConfirming] = useState<Id | null>(null);
  const [error, setError] = useState<string | null>(null);

  const save = async (values: NewCannedResponse) => {
    if (form === 'new') {
      await create(admin ? values : { ...values, shared: undefined }).unwrap();
    } else if (form !== null) {
      const { shortcut, title, body } = values;
      await update({ id: form, changes: { shortcut, title, body } }).unwrap();
    }
    setForm(null);
  };

  const del = async (id: Id) => {
    setError(null);
    try {
      await remove(id).unwrap();
    } catch (e) {
      setError(failureText(e as ApiFailure));
    }
    setConfirming(null);
  };

  const mayChange = (c: CannedResponse) => !c.shared || admin;
  const editing = typeof form === 'number' ? list.data?.find((c) => c.id === form) : undefined;

  return (
    <Screen testID="canned-screen" scroll>
      <Title>{t('canned.title')}</Title>
      <Muted>{t('canned.intro')}</Muted>
      {form === null ? (
        <Button
          title={t('canned.new')}
          icon="add"
          testID="canned-new"
          style={styles.new}
          onPress={() => setForm('new')}
        />
      ) : (
        <CannedForm
          key={String(form)}
          editing={editing}
          canShare={admin}
          onSubmit={save}
          onCancel={() => setForm(null)}
        />
      )}
      <ErrorText testID="canned-error">
        {error ?? (list.error ? failureText(list.error as ApiFailure) : null)}
      </ErrorText>
      {list.data && list.data.length === 0 ? (
        <Muted testID="canned-empty">{t('canned.empty')}</Muted>
      ) : null}
      {list.data?.map((c) => (
        <View
          key={c.id}
          testID={`canned-row-${c.id}`}
          style={[styles.row, { borderColor: colors.border, backgroundColor: colors.surface }]}
        >
          <Text style={{ color: colors.text }}>
            <Text style={[styles.shortcut, { color: colors.primary }]}>/{c.shortcut}</Text>{' '}
            {c.title}
            {c.shared ? (
              <Text testID={`canned-shared-${c.id}`} style={{ color: colors.textMuted }}>
                {' '}
                · {t('canned.shared')}
              </Text>
            ) : null}
          </Text>
          <Text style={[styles.body, { color: colors.textMuted }]} numberOfLines={3}>
            {c.body}
          </Text>
          {mayChange(c) ? (
            <View style={styles.actions}>
              {confirming === c.id ? (
                <>
                  <Text style={{ color: colors.text }}>
                    {t('canned.confirmDelete', { shortcut: c.shortcut })}
                  </Text>
                  <Button
                    variant="danger"
                    compact
                    title={t('canned.delete')}
                    testID={`canned-delete-confirm-${c.id}`}
                    onPress={() => void del(c.id)}
                  />
                  <Button
                    variant="secondary"
                    compact
                    title={t('common.cancel')}
                    testID={`canned-delete-cancel-${c.id}`}
                    onPress={() => setConfirming(null)}
                  />
                </>
              ) : (
                <>
                  <Button
                    variant="secondary"
                    compact
                    title={t('canned.edit')}
                    accessibilityLabel={t('canned.editLabel', { shortcut: c.shortcut })}
                    testID={`canned-edit-${c.id}`}
                    onPress={() => setForm(c.id)}
                  />
                  <Button
                    variant="secondary"
                    compact
                    title={t('canned.delete')}
                    accessibilityLabel={t('canned.deleteLabel', { shortcut: c.shortcut })}
                    testID={`canned-delete-${c.id}`}
                    onPress={() => setConfirming(c.id)}
                  />
                </>
              )}
            </View>
          ) : null}
        </View>
      ))}
    </Screen>
  );
}

const styles = StyleSheet.create({
  new: { alignSelf: 'flex-start', marginBottom: 16 },
  row: { borderWidth: 1, borderRadius: 8, padding: 12, marginBottom: 8 },
  shortcut: { fontWeight: '700' },
  body: { marginTop: 4, fontSize: 13 },
  actions: { flexDirection: 'row', alignItems: 'center', gap: 8, marginTop: 8 },
});
