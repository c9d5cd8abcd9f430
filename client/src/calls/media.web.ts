/** The browser's WebRTC (web). */
export interface MediaAccess {
  createPeer(iceServers: RTCIceServer[]): RTCPeerConnection;
  getUserMedia(constraints: MediaStreamConstraints): Promise<MediaStream>;
  /** Screen sharing; `null` where the platform has none. */
  getDisplayMedia: (() => Promise<MediaStream>) | null;
}

function browserMedia(): MediaAccess | null {
  if (typeof RTCPeerConnection === 'undefined' || !navigator.mediaDevices) return null;
  const devices = navigator.mediaDevices;
  return {
    createPeer: (iceServers) => new RTCPeerConnection({ iceServers }),
    getUserMedia: (constraints) => devices.getUserMedia(constraints),
    getDisplayMedia: devices.getDisplayMedia
      ? () => devices.getDisplayMedia({ video: true, audio: false })
      : null,
  };
}

export const media: MediaAccess | null = browserMedia();
