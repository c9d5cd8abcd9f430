/**
 * What the call engine needs of a platform's WebRTC: the browser's own (`media.web.ts`) or
 * react-native-webrtc's (`media.ts`, Android), which implements the same W3C interfaces.
 */
export interface MediaAccess {
  createPeer(iceServers: RTCIceServer[]): RTCPeerConnection;
  getUserMedia(constraints: MediaStreamConstraints): Promise<MediaStream>;
  /** An empty stream the other side's tracks are gathered in. */
  newStream(): MediaStream;
  /** Screen sharing; `null` where the platform has none. */
  getDisplayMedia: (() => Promise<MediaStream>) | null;
}
