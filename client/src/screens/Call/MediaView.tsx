/** Android/iOS: no WebRTC module yet (see calls/media.ts), so there is nothing to show. */
export function MediaView(_props: {
  stream: MediaStream | null;
  mirrored?: boolean;
  muted?: boolean;
  testID: string;
}) {
  return null;
}
