/** The browser's WebRTC (web). */
import type { MediaAccess } from './mediaAccess';

export type { MediaAccess } from './mediaAccess';

function browserMedia(): MediaAccess | null {
  if (typeof RTCPeerConnection === 'undefined' || !navigator.mediaDevices) return null;
  const devices = navigator.mediaDevices;
  return {
    createPeer: (iceServers) => new RTCPeerConnection({ iceServers }),
    getUserMedia: (constraints) => devices.getUserMedia(constraints),
    newStream: () => new MediaStream(),
    getDisplayMedia: devices.getDisplayMedia
      ? () => devices.getDisplayMedia({ video: true, audio: false })
      : null,
  };
}

export const media: MediaAccess | null = browserMedia();

/** The web plays streams in a <video> (screens/Call/MediaView.web.tsx), not a native view. */
export const NativeVideoView = null;
