/**
 * Android (and iOS): react-native-webrtc, which implements the W3C RTCPeerConnection, MediaStream
 * and mediaDevices the engine is written against; its `RTCView` shows a stream. It needs its
 * native module, i.e. a development or EAS build (`npx expo prebuild`): in Expo Go, and in jest,
 * the module is absent, `media` is `null` and the call buttons are hidden rather than crashing.
 *
 * Screen sharing is not offered: react-native-webrtc's `getDisplayMedia` on Android needs its
 * MediaProjection foreground service switched on in native code (`WebRTCModuleOptions
 * .enableMediaProjectionService` in MainApplication) and the foreground-service permissions;
 * until that is wired and tried on a device, the button is disabled with a note.
 */
import type { ComponentType } from 'react';
import { NativeModules } from 'react-native';
import type { RTCVideoViewProps } from 'react-native-webrtc';

import type { MediaAccess } from './mediaAccess';

export type { MediaAccess } from './mediaAccess';

type WebRTC = typeof import('react-native-webrtc');

function loadWebRTC(): WebRTC | null {
  // Requiring the package without its native module would throw at start-up (Expo Go).
  if (!NativeModules.WebRTCModule) return null;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('react-native-webrtc') as WebRTC;
}

const webrtc = loadWebRTC();

function nativeMedia(rtc: WebRTC): MediaAccess {
  // react-native-webrtc's classes are its own, shaped after the DOM's: the casts say so once here.
  return {
    createPeer: (iceServers) =>
      new rtc.RTCPeerConnection({ iceServers }) as unknown as RTCPeerConnection,
    getUserMedia: async (constraints) =>
      (await rtc.mediaDevices.getUserMedia({
        audio: !!constraints.audio,
        video: constraints.video ? { facingMode: 'user' } : false,
      })) as unknown as MediaStream,
    newStream: () => new rtc.MediaStream() as unknown as MediaStream,
    getDisplayMedia: null,
  };
}

export const media: MediaAccess | null = webrtc ? nativeMedia(webrtc) : null;

/** react-native-webrtc's video view (`null` without the native module). */
export const NativeVideoView: ComponentType<RTCVideoViewProps> | null = webrtc?.RTCView ?? null;
