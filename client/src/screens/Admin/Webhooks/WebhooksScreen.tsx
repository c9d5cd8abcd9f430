import { useState } from 'react';
import { StyleSheet, Text, View } from 'react-native';

import { failureText, type ApiFailure } from '../../../api/client';
import type { Id, NewWebhook } from '../../../api/types';
import { Button } from '../../../components/Button';
import { ErrorText, Muted, Screen, Title } from '../../../components/Screen';
import { t } from '../../../i18n';
import {
  useCreateWebhookMutation,
  useDeleteWebhookMutation,
  useGetWebhooksQuery,
  useUpdateWebhookMutation,
} from '../../../state/queries/webhooks';
import { useRefetchOnFocus } from '../../../state/queries/useRefetchOnFocus';
import { useTheme } from '../../../theme';
import { Deliveries } from './Deliveries';
import { WebhookForm } from './WebhookForm';

/** Admins: webhook endpoints. Register one (its secret is shown once), enable or disable,
 * delete, and look at an endpoint's recent deliveries (replaying one). */
export function WebhooksScreen() {
  const { colors } = useTheme();
  const list = useGetWebhooksQuery();
  useRefetchOnFocus(list.refetch);
  const [create] = useCreateWebhookMutation();
  const [update] = useUpdateWebhookMutation();
  const [remove] = useDeleteWebhookMutation();
  const [adding, setAdding] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const [open, setOpen] = useState<Id | null>(null);
  const [confirming, setConfirming] = useState<Id | null>(null);
  const [error, setError] = useState<string | null>(null);

  const save = async (values: NewWebhook) => {
    const created = await create(values).unwrap();
    setAdding(false);
    setSecret(created.secret);
  };

  const act = async (run: () => Promise<unknown>) => {
    setError(null);
    try {
      await run();
    } catch (e) {
      setError(failureText(e as ApiFailure));
    }
  };

  return (
    <Screen testID="webhooks-screen" scroll>
      <Title>{t('webhooks.title')}</Title>
      <Muted>{t('webhooks.intro')}</Muted>
      {secret ? (
        <View
          testID="webhook-secret"
          style={[styles.card, { borderColor: colors.primary, backgroundColor: colors.surface }]}
        >
          <Text style={[styles.strong, { color: colors.text }]}>{t('webhooks.secretTitle')}</Text>
          <Text
            selectable
            testID="webhook-secret-value"
            style={[styles.mono, { color: colors.text }]}
          >
            {secret}
          </Text>
          <Muted>{t('webhooks.secretHint')}</Muted>
          <Button
            compact
            title={t('webhooks.secretDone')}
            testID="webhook-secret-done"
            style={styles.top}
            onPress={() => setSecret(null)}
          />
        </View>
      ) : null}
      {adding ? (
        <WebhookForm onSubmit={save} onCancel={() => setAdding(false)} />
      ) : (
        <Button
          title={t('webhooks.new')}
          icon="add"
          testID="webhook-new"
          style={styles.new}
          onPress={() => setAdding(true)}
        />
      )}
      <ErrorText testID="webhooks-error">
        {error ?? (list.error ? failureText(list.error as ApiFailure) : null)}
      </ErrorText>
      {list.data && list.data.length === 0 ? (
        <Muted testID="webhooks-empty">{t('webhooks.empty')}</Muted>
      ) : null}
      {list.data?.map((w) => (
        <View
          key={w.id}
          testID={`webhook-row-${w.id}`}
          style={[styles.card, { borderColor: colors.border, backgroundColor: colors.surface }]}
        >
          <Text style={[styles.strong, { color: colors.text }]} numberOfLines={1}>
            {w.url}
          </Text>
          <Text style={{ color: colors.textMuted }}>
            {w.events.join(', ')}
            {w.include_notes ? ` · ${t('webhooks.includeNotes')}` : ''}
          </Text>
          <Text
            testID={`webhook-state-${w.id}`}
            style={{ color: w.enabled ? colors.text : colors.danger }}
          >
            {w.enabled ? t('webhooks.enabled') : t('webhooks.disabled')}
            {w.disabled_reason ? ` · ${w.disabled_reason}` : ''}
            {w.failing_since ? ` · ${t('webhooks.failing', { since: w.failing_since })}` : ''}
          </Text>
          <View style={styles.actions}>
            {confirming === w.id ? (
              <>
                <Text style={{ color: colors.text }}>{t('webhooks.confirmDelete')}</Text>
                <Button
                  variant="danger"
                  compact
                  title={t('webhooks.delete')}
                  testID={`webhook-delete-confirm-${w.id}`}
                  onPress={() =>
                    void act(() => remove(w.id).unwrap()).then(() => setConfirming(null))
                  }
                />
                <Button
                  variant="secondary"
                  compact
                  title={t('common.cancel')}
                  testID={`webhook-delete-cancel-${w.id}`}
                  onPress={() => setConfirming(null)}
                />
              </>
            ) : (
              <>
                <Button
                  variant="secondary"
                  compact
                  title={w.enabled ? t('webhooks.disable') : t('webhooks.enable')}
                  testID={`webhook-toggle-${w.id}`}
                  onPress={() =>
                    void act(() => update({ id: w.id, changes: { enabled: !w.enabled } }).unwrap())
                  }
                />
                <Button
                  variant="secondary"
                  compact
                  title={open === w.id ? t('webhooks.hideDeliveries') : t('webhooks.deliveries')}
                  testID={`webhook-deliveries-toggle-${w.id}`}
                  onPress={() => setOpen(open === w.id ? null : w.id)}
                />
                <Button
                  variant="secondary"
                  compact
                  title={t('webhooks.delete')}
                  testID={`webhook-delete-${w.id}`}
                  onPress={() => setConfirming(w.id)}
                />
              </>
            )}
          </View>
          {open === w.id ? <Deliveries webhookId={w.id} /> : null}
        </View>
      ))}
    </Screen>
  );
}

const styles = StyleSheet.create({
  new: { alignSelf: 'flex-start', marginBottom: 16 },
  card: { borderWidth: 1, borderRadius: 8, padding: 12, marginBottom: 8 },
  strong: { fontWeight: '700' },
  mono: { fontFamily: 'monospace', marginVertical: 6 },
  top: { alignSelf: 'flex-start', marginTop: 8 },
  actions: { flexDirection: 'row', alignItems: 'center', flexWrap: 'wrap', gap: 8, marginTop: 8 },
});
