import { StyleSheet } from 'react-native';

import { NativeVideoView } from '../../calls/media';

/**
 * A call's video on Android: react-native-webrtc's RTCView showing the stream. Audio plays
 * without a view (the remote stream's audio track goes to the phone's audio output).
 */
export function MediaView({
  stream,
  mirrored,
  muted,
  testID,
}: {
  stream: MediaStream | null;
  mirrored?: boolean;
  /** Our own stream (the small view): drawn above the other side's. */
  muted?: boolean;
  testID: string;
}) {
  if (!NativeVideoView || !stream) return null;
  // react-native-webrtc's MediaStream names itself to the native view by URL.
  const url = (stream as unknown as { toURL(): string }).toURL();
  // The native view takes the stream's first video track when its URL is set and never looks
  // again; the other side's track arrives after the view is up (the engine adds it to the same
  // stream), so a new video track makes a new view.
  const track = stream.getVideoTracks()[0]?.id ?? 'none';
  return (
    <NativeVideoView
      key={`${url}/${track}`}
      testID={testID}
      streamURL={url}
      objectFit="cover"
      mirror={!!mirrored}
      zOrder={muted ? 1 : 0}
      style={styles.fill}
    />
  );
}

const styles = StyleSheet.create({
  fill: { width: '100%', height: '100%', backgroundColor: '#000' },
});
