import type { CallFrame, ClientFrame, Id } from '../api/types';
import {
  callAnswered,
  callEnded,
  callIncoming,
  callLink,
  callRinging,
  callStarted,
  callToggled,
  type CallMedia,
} from '../state/call';
import type { AppDispatch, RootState } from '../state/store';
import type { MediaAccess } from './mediaAccess';

/** What the other device sends through `call_signal` (and we send it): docs/protocol.md. */
type Signal = { sdp?: RTCSessionDescriptionInit; candidate?: RTCIceCandidateInit };

export interface CallEngineDeps {
  send(frame: ClientFrame): boolean;
  dispatch: AppDispatch;
  getState: () => RootState;
  iceServers(): Promise<RTCIceServer[]>;
  /** WebRTC on this platform; `null`: calls are not offered. */
  media: MediaAccess | null;
  now?: () => number;
}

export interface CallStreams {
  local: MediaStream | null;
  remote: MediaStream | null;
}

export interface CallEngine {
  readonly supported: boolean;
  readonly canShareScreen: boolean;
  call(conversationId: Id, media: CallMedia, peerName: string): void;
  accept(): void;
  /** Declines, cancels or hangs up, whichever the phase calls for. */
  hangup(): void;
  setMuted(muted: boolean): void;
  setCameraOff(off: boolean): void;
  setSharing(on: boolean): Promise<void>;
  onFrame(frame: CallFrame): void;
  /** The socket (re)connected: a call of the previous connection was ended by the server. */
  onReconnected(): void;
  streams(): CallStreams;
  subscribe(listener: () => void): () => void;
}

/**
 * One call at a time, WebRTC between this device and the other party's. The caller sends the
 * offer once the callee's device has accepted; ICE candidates go both ways as they come (those
 * that arrive before the remote description wait for it).
 */
export function createCallEngine(deps: CallEngineDeps): CallEngine {
  const { dispatch, getState, send, media } = deps;
  const now = deps.now ?? Date.now;
  const listeners = new Set<() => void>();
  let pc: RTCPeerConnection | null = null;
  let local: MediaStream | null = null;
  let remote: MediaStream | null = null;
  let screen: MediaStream | null = null;
  let ready: Promise<void> | null = null;
  let waiting: RTCIceCandidateInit[] = [];
  let inviting = false;

  // One object per change: useSyncExternalStore compares snapshots by identity.
  let snapshot: CallStreams = { local: null, remote: null };
  const changed = () => {
    snapshot = { local, remote };
    listeners.forEach((l) => l());
  };
  const current = () => getState().call;
  const signal = (data: Signal) => {
    const callId = current().callId;
    if (callId) send({ type: 'call_signal', call_id: callId, data });
  };

  const teardown = (notice: string | null) => {
    pc?.close();
    [local, screen].forEach((s) => s?.getTracks().forEach((tr) => tr.stop()));
    pc = local = remote = screen = ready = null;
    waiting = [];
    inviting = false;
    dispatch(callEnded({ notice }));
    changed();
  };

  /** Media and the peer connection, once the call is answered. */
  const connect = async (callId: string, kind: CallMedia, offer: boolean) => {
    if (!media) return;
    const iceServers = await deps.iceServers().catch(() => []);
    const stream = await media.getUserMedia({ audio: true, video: kind === 'video' });
    if (current().callId !== callId) {
      stream.getTracks().forEach((tr) => tr.stop());
      return;
    }
    const peer = media.createPeer(iceServers);
    pc = peer;
    local = stream;
    remote = media.newStream();
    stream.getTracks().forEach((tr) => peer.addTrack(tr, stream));
    peer.ontrack = (e) => {
      remote?.addTrack(e.track);
      changed();
    };
    peer.onicecandidate = (e) => {
      if (e.candidate) signal({ candidate: e.candidate.toJSON() });
    };
    peer.onconnectionstatechange = () => dispatch(callLink(peer.connectionState));
    changed();
    if (offer) {
      await peer.setLocalDescription(await peer.createOffer());
      signal({ sdp: peer.localDescription?.toJSON() });
    }
  };

  const receive = async (data: Signal) => {
    await ready;
    const peer = pc;
    if (!peer) return;
    if (data.sdp) {
      await peer.setRemoteDescription(data.sdp);
      if (data.sdp.type === 'offer') {
        await peer.setLocalDescription(await peer.createAnswer());
        signal({ sdp: peer.localDescription?.toJSON() });
      }
      for (const c of waiting.splice(0)) await peer.addIceCandidate(c);
    } else if (data.candidate) {
      if (peer.remoteDescription) await peer.addIceCandidate(data.candidate);
      else waiting.push(data.candidate);
    }
  };

  const videoSender = () => pc?.getSenders().find((s) => s.track?.kind === 'video') ?? null;

  const engine: CallEngine = {
    supported: media !== null,
    canShareScreen: !!media?.getDisplayMedia,
    call(conversationId, kind, peerName) {
      if (!media || current().phase !== 'idle') return;
      inviting = true;
      dispatch(callStarted({ conversationId, media: kind, peerName }));
      if (!send({ type: 'call_invite', conversation_id: conversationId, media: kind })) {
        teardown('offline');
      }
    },
    accept() {
      const { phase, callId } = current();
      if (phase === 'incoming' && callId) send({ type: 'call_accept', call_id: callId });
    },
    hangup() {
      const { phase, callId } = current();
      if (callId) {
        const type =
          phase === 'incoming'
            ? 'call_decline'
            : phase === 'outgoing'
              ? 'call_cancel'
              : 'call_hangup';
        send({ type, call_id: callId });
      }
      teardown(null);
    },
    setMuted(muted) {
      local?.getAudioTracks().forEach((tr) => (tr.enabled = !muted));
      dispatch(callToggled({ muted }));
    },
    setCameraOff(off) {
      local?.getVideoTracks().forEach((tr) => (tr.enabled = !off));
      dispatch(callToggled({ cameraOff: off }));
    },
    async setSharing(on) {
      const sender = videoSender();
      if (!sender || !media?.getDisplayMedia) return;
      if (on) {
        const shared = await media.getDisplayMedia();
        const track = shared.getVideoTracks()[0];
        screen = shared;
        // The browser's own "Stop sharing" ends the track: back to the camera.
        track.onended = () => void engine.setSharing(false);
        await sender.replaceTrack(track);
      } else {
        await sender.replaceTrack(local?.getVideoTracks()[0] ?? null);
        screen?.getTracks().forEach((tr) => tr.stop());
        screen = null;
      }
      dispatch(callToggled({ sharing: on }));
      changed();
    },
    onFrame(frame) {
      const state = current();
      switch (frame.type) {
        case 'call_ringing':
          if (state.phase === 'outgoing' && inviting && !state.callId) {
            dispatch(callRinging({ callId: frame.call_id }));
          } else {
            // We hung up before the server answered: end what it started.
            send({ type: 'call_cancel', call_id: frame.call_id });
          }
          return;
        case 'call_busy':
          if (state.phase === 'outgoing') teardown('busy');
          return;
        case 'call_incoming':
          if (state.phase !== 'idle') return;
          dispatch(
            callIncoming({
              callId: frame.call_id,
              conversationId: frame.conversation_id,
              media: frame.media,
              peerName: frame.caller_name,
            }),
          );
          return;
        case 'call_accepted':
          if (state.callId !== frame.call_id) return;
          dispatch(callAnswered({ at: now() }));
          ready = connect(frame.call_id, state.media, inviting).catch(() => engine.hangup());
          return;
        case 'call_signal':
          if (state.callId === frame.call_id)
            void receive(frame.data as Signal).catch(() => undefined);
          return;
        case 'call_ended':
          if (state.callId === frame.call_id) teardown(frame.reason);
          return;
      }
    },
    onReconnected() {
      if (current().phase !== 'idle') teardown('disconnected');
    },
    streams: () => snapshot,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return engine;
}
