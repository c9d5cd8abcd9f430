import { useEffect, useSyncExternalStore } from 'react';
import { StyleSheet, Text, View } from 'react-native';

import { startRing } from '../../calls/ring';
import { Button } from '../../components/Button';
import { t } from '../../i18n';
import { useNow } from '../../lib/useNow';
import { useRealtime } from '../../realtime/context';
import { callEnded } from '../../state/call';
import { useAppDispatch, useAppSelector } from '../../state/hooks';
import { useTheme } from '../../theme';
import { MediaView } from './MediaView';

/** "4:12", "1:02:05". */
export function formatDuration(ms: number): string {
  const secs = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(secs / 3600);
  const m = Math.floor((secs % 3600) / 60);
  const s = String(secs % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

function Duration({ since }: { since: number }) {
  const now = useNow(1000);
  return <Text testID="call-duration">{formatDuration(now - since)}</Text>;
}

/**
 * The call, over every screen: ringing (incoming or outgoing), then the call with its controls.
 * It stays while the user moves around the app, so the way back to the call is always there.
 */
export function CallOverlay() {
  const dispatch = useAppDispatch();
  const { calls } = useRealtime();
  const { colors, radius } = useTheme();
  const call = useAppSelector((s) => s.call);
  const streams = useSyncExternalStore(calls.subscribe, calls.streams);
  const ringing = call.phase === 'incoming' || call.phase === 'outgoing' ? call.phase : null;
  useEffect(() => (ringing ? startRing(ringing) : undefined), [ringing]);
  if (call.phase === 'idle') {
    if (!call.notice || call.notice === 'hangup' || call.notice === 'cancelled') return null;
    return (
      <View
        testID="call-notice"
        style={[
          styles.panel,
          { backgroundColor: colors.surface, borderColor: colors.border, borderRadius: radius },
        ]}
      >
        <Text style={{ color: colors.text }}>{t('call.ended', { reason: call.notice })}</Text>
        <Button
          compact
          variant="link"
          title={t('common.close')}
          testID="call-notice-close"
          onPress={() => dispatch(callEnded({ notice: null }))}
        />
      </View>
    );
  }
  const video = call.media === 'video';
  return (
    <View
      testID={`call-${call.phase}`}
      accessibilityRole="summary"
      style={[
        styles.panel,
        video && call.phase === 'active' && styles.large,
        { backgroundColor: colors.surface, borderColor: colors.border, borderRadius: radius },
      ]}
    >
      <Text style={[styles.title, { color: colors.text }]}>
        {call.phase === 'incoming'
          ? t(video ? 'call.incomingVideo' : 'call.incomingAudio', { name: call.peerName })
          : call.phase === 'outgoing'
            ? t('call.calling', { name: call.peerName })
            : call.peerName}
      </Text>
      {call.phase === 'active' ? (
        <>
          <View style={styles.status}>
            {call.answeredAt ? <Duration since={call.answeredAt} /> : null}
            <Text testID="call-link" style={{ color: colors.textMuted }}>
              {call.link}
            </Text>
          </View>
          <View style={video ? styles.videos : styles.hidden}>
            <View style={styles.remote}>
              <MediaView stream={streams.remote} testID="call-remote-media" />
            </View>
            {video ? (
              <View style={styles.local}>
                <MediaView
                  stream={streams.local}
                  muted
                  mirrored={!call.sharing}
                  testID="call-local-media"
                />
              </View>
            ) : null}
          </View>
        </>
      ) : null}
      <View style={styles.controls}>
        {call.phase === 'incoming' ? (
          <Button
            compact
            icon="call"
            title={t('call.accept')}
            testID="call-accept"
            onPress={calls.accept}
          />
        ) : null}
        {call.phase === 'active' ? (
          <>
            <Button
              compact
              variant="secondary"
              icon={call.muted ? 'mic-off' : 'mic'}
              title={call.muted ? t('call.unmute') : t('call.mute')}
              testID="call-mute"
              onPress={() => calls.setMuted(!call.muted)}
            />
            {video ? (
              <Button
                compact
                variant="secondary"
                icon={call.cameraOff ? 'videocam-off' : 'videocam'}
                title={call.cameraOff ? t('call.cameraOn') : t('call.cameraOff')}
                testID="call-camera"
                onPress={() => calls.setCameraOff(!call.cameraOff)}
              />
            ) : null}
            {video && calls.canShareScreen ? (
              <Button
                compact
                variant="secondary"
                icon="desktop-outline"
                title={call.sharing ? t('call.stopSharing') : t('call.share')}
                testID="call-share"
                onPress={() => void calls.setSharing(!call.sharing).catch(() => undefined)}
              />
            ) : video ? (
              // Android (calls/media.ts): said plainly rather than hidden.
              <Button
                compact
                variant="secondary"
                icon="desktop-outline"
                title={t('call.shareUnavailable')}
                testID="call-share"
                disabled
                onPress={() => undefined}
              />
            ) : null}
          </>
        ) : null}
        <Button
          compact
          variant="danger"
          icon="call"
          title={
            call.phase === 'incoming'
              ? t('call.decline')
              : call.phase === 'outgoing'
                ? t('common.cancel')
                : t('call.hangup')
          }
          testID={call.phase === 'incoming' ? 'call-decline' : 'call-hangup'}
          onPress={calls.hangup}
        />
      </View>
    </View>
  );
}

const styles = StyleSheet.create({
  panel: {
    position: 'absolute',
    right: 16,
    bottom: 16,
    width: 320,
    padding: 12,
    borderWidth: 1,
    zIndex: 1000,
    gap: 8,
    shadowColor: '#000',
    shadowOpacity: 0.2,
    shadowRadius: 12,
    elevation: 8,
  },
  large: { width: 480 },
  title: { fontSize: 16, fontWeight: '600' },
  status: { flexDirection: 'row', gap: 8 },
  videos: { height: 270, position: 'relative' },
  hidden: { height: 0, overflow: 'hidden' },
  remote: { flex: 1 },
  local: { position: 'absolute', right: 8, bottom: 8, width: 120, height: 90 },
  controls: { flexDirection: 'row', flexWrap: 'wrap', gap: 8 },
});
