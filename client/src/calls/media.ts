/**
 * Android/iOS: no WebRTC module is bundled yet (react-native-webrtc is the maintained one; it
 * needs a development build and a device to try), so calls are offered on the web only.
 */
export interface MediaAccess {
  createPeer(iceServers: RTCIceServer[]): RTCPeerConnection;
  getUserMedia(constraints: MediaStreamConstraints): Promise<MediaStream>;
  getDisplayMedia: (() => Promise<MediaStream>) | null;
}

export const media: MediaAccess | null = null;
