import { StyleSheet, View } from 'react-native';

import type { Id } from '../../api/types';
import { Button } from '../../components/Button';
import { t } from '../../i18n';
import { useRealtime } from '../../realtime/context';
import { useAppSelector } from '../../state/hooks';

/** "Call" and "Video" for a conversation whose other party is `peerName`. */
export function CallButtons({
  conversationId,
  peerName,
}: {
  conversationId: Id;
  peerName: string;
}) {
  const { calls } = useRealtime();
  const idle = useAppSelector((s) => s.call.phase === 'idle');
  const online = useAppSelector((s) => s.connection.status === 'online');
  if (!calls.supported) return null;
  return (
    <View style={styles.row}>
      <Button
        compact
        variant="secondary"
        icon="call-outline"
        title={t('call.audio')}
        testID="call-audio"
        disabled={!idle || !online}
        onPress={() => calls.call(conversationId, 'audio', peerName)}
      />
      <Button
        compact
        variant="secondary"
        icon="videocam-outline"
        title={t('call.video')}
        testID="call-video"
        disabled={!idle || !online}
        onPress={() => calls.call(conversationId, 'video', peerName)}
      />
    </View>
  );
}

const styles = StyleSheet.create({
  row: { flexDirection: 'row', gap: 8, marginTop: 8 },
});
