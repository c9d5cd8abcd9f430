import { StyleSheet, Text, View } from 'react-native';

import { failureText, type ApiFailure } from '../../../api/client';
import type { Id } from '../../../api/types';
import { Button } from '../../../components/Button';
import { ErrorText, Muted } from '../../../components/Screen';
import { t } from '../../../i18n';
import {
  useGetDeliveriesQuery,
  useReplayDeliveryMutation,
  useSendTestEventMutation,
} from '../../../state/queries/webhooks';
import { useTheme } from '../../../theme';

/** One endpoint's recent deliveries (status, attempts, HTTP status, latency, last error), a
 * replay button on each, and "send test event". */
export function Deliveries({ webhookId }: { webhookId: Id }) {
  const { colors } = useTheme();
  const list = useGetDeliveriesQuery(webhookId);
  const [replay, replaying] = useReplayDeliveryMutation();
  const [sendTest, testing] = useSendTestEventMutation();
  const failure = list.error ?? replaying.error ?? testing.error;

  return (
    <View testID={`webhook-deliveries-${webhookId}`} style={styles.wrap}>
      <View style={styles.actions}>
        <Button
          variant="secondary"
          compact
          icon="paper-plane-outline"
          title={t('webhooks.sendTest')}
          testID={`webhook-test-${webhookId}`}
          onPress={() => void sendTest(webhookId)}
        />
        <Button
          variant="secondary"
          compact
          icon="refresh"
          title={t('webhooks.refresh')}
          testID={`webhook-refresh-${webhookId}`}
          onPress={() => void list.refetch()}
        />
      </View>
      <ErrorText testID={`webhook-deliveries-error-${webhookId}`}>
        {failure ? failureText(failure as ApiFailure) : null}
      </ErrorText>
      {list.data && list.data.length === 0 ? <Muted>{t('webhooks.noDeliveries')}</Muted> : null}
      {list.data?.map((d) => (
        <View
          key={d.id}
          testID={`delivery-${d.id}`}
          style={[styles.row, { borderColor: colors.border }]}
        >
          <View style={styles.text}>
            <Text style={{ color: d.status === 'failed' ? colors.danger : colors.text }}>
              {t('webhooks.delivery', {
                event: d.event_type,
                status: d.status,
                attempts: d.attempts,
                code: d.response_status != null ? ` · HTTP ${d.response_status}` : '',
                latency: d.latency_ms != null ? ` · ${d.latency_ms} ms` : '',
              })}
            </Text>
            {d.error ? (
              <Text style={{ color: colors.textMuted, fontSize: 12 }} numberOfLines={2}>
                {d.error}
              </Text>
            ) : null}
          </View>
          <Button
            variant="secondary"
            compact
            title={t('webhooks.replay')}
            testID={`delivery-replay-${d.id}`}
            onPress={() => void replay({ id: webhookId, deliveryId: d.id })}
          />
        </View>
      ))}
    </View>
  );
}

const styles = StyleSheet.create({
  wrap: { marginTop: 8 },
  actions: { flexDirection: 'row', gap: 8, marginBottom: 4 },
  row: {
    flexDirection: 'row',
    alignItems: 'center',
    gap: 8,
    borderTopWidth: StyleSheet.hairlineWidth,
    paddingVertical: 6,
  },
  text: { flex: 1 },
});
