import type { ClientFrame } from '../src/api/types';
import { createCallEngine } from '../src/calls/engine';
import type { MediaAccess } from '../src/calls/mediaAccess';
import { makeStore } from '../src/state/store';

/** Just enough of MediaStream and RTCPeerConnection to follow what the engine does with them. */
class FakeTrack {
  enabled = true;
  stopped = false;
  constructor(public kind: 'audio' | 'video') {}
  stop() {
    this.stopped = true;
  }
}

class FakeStream {
  tracks: FakeTrack[];
  constructor(tracks: FakeTrack[] = []) {
    this.tracks = tracks;
  }
  addTrack(t: FakeTrack) {
    this.tracks.push(t);
  }
  getTracks() {
    return this.tracks;
  }
  getAudioTracks() {
    return this.tracks.filter((t) => t.kind === 'audio');
  }
  getVideoTracks() {
    return this.tracks.filter((t) => t.kind === 'video');
  }
}

class FakePeer {
  added: FakeTrack[] = [];
  localDescription: RTCSessionDescriptionInit | null = null;
  remoteDescription: RTCSessionDescriptionInit | null = null;
  candidates: RTCIceCandidateInit[] = [];
  closed = false;
  connectionState = 'new';
  ontrack: ((e: { track: FakeTrack }) => void) | null = null;
  onicecandidate: ((e: { candidate: { toJSON(): RTCIceCandidateInit } | null }) => void) | null =
    null;
  onconnectionstatechange: (() => void) | null = null;
  constructor(public iceServers: RTCIceServer[]) {}
  addTrack(t: FakeTrack) {
    this.added.push(t);
  }
  async createOffer() {
    return { type: 'offer' as const, sdp: 'offer-sdp' };
  }
  async createAnswer() {
    return { type: 'answer' as const, sdp: 'answer-sdp' };
  }
  async setLocalDescription(d: RTCSessionDescriptionInit) {
    this.localDescription = { ...d, toJSON: () => d } as RTCSessionDescriptionInit;
  }
  async setRemoteDescription(d: RTCSessionDescriptionInit) {
    this.remoteDescription = d;
  }
  async addIceCandidate(c: RTCIceCandidateInit) {
    this.candidates.push(c);
  }
  getSenders() {
    return [];
  }
  close() {
    this.closed = true;
  }
}

function setUp() {
  const store = makeStore();
  const sent: ClientFrame[] = [];
  const peers: FakePeer[] = [];
  const streams: FakeStream[] = [];
  const media: MediaAccess = {
    createPeer: (ice) => {
      const p = new FakePeer(ice);
      peers.push(p);
      return p as unknown as RTCPeerConnection;
    },
    getUserMedia: async (c) => {
      const s = new FakeStream([
        new FakeTrack('audio'),
        ...(c.video ? [new FakeTrack('video')] : []),
      ]);
      streams.push(s);
      return s as unknown as MediaStream;
    },
    newStream: () => new FakeStream() as unknown as MediaStream,
    getDisplayMedia: null,
  };
  const engine = createCallEngine({
    send: (f) => {
      sent.push(f);
      return true;
    },
    dispatch: store.dispatch,
    getState: store.getState,
    iceServers: async () => [{ urls: ['stun:stun.example.org'] }],
    media,
    now: () => 1000,
  });
  const settle = () => new Promise((r) => setTimeout(r, 0));
  return { store, sent, peers, streams, engine, settle };
}

describe('call engine', () => {
  it('rings, offers once answered, sends and takes candidates, hangs up', async () => {
    const { store, sent, peers, streams, engine, settle } = setUp();
    engine.call(7, 'video', 'Rae');
    expect(sent).toEqual([{ type: 'call_invite', conversation_id: 7, media: 'video' }]);
    expect(store.getState().call.phase).toBe('outgoing');
    engine.onFrame({
      type: 'call_ringing',
      call_id: 'c1',
      conversation_id: 7,
      media: 'video',
      callee_id: 2,
    });
    engine.onFrame({ type: 'call_accepted', call_id: 'c1', conversation_id: 7 });
    expect(store.getState().call).toMatchObject({ phase: 'active', answeredAt: 1000 });
    await settle();
    await settle();
    const peer = peers[0];
    expect(peer.iceServers).toEqual([{ urls: ['stun:stun.example.org'] }]);
    expect(peer.added.map((t) => t.kind)).toEqual(['audio', 'video']);
    expect(sent[1]).toMatchObject({
      type: 'call_signal',
      call_id: 'c1',
      data: { sdp: { type: 'offer', sdp: 'offer-sdp' } },
    });
    // Our candidates go out; theirs wait for their answer.
    peer.onicecandidate?.({ candidate: { toJSON: () => ({ candidate: 'mine' }) } });
    expect(sent[2]).toMatchObject({
      type: 'call_signal',
      data: { candidate: { candidate: 'mine' } },
    });
    engine.onFrame({
      type: 'call_signal',
      call_id: 'c1',
      data: { candidate: { candidate: 'early' } },
    });
    await settle();
    expect(peer.candidates).toEqual([]);
    engine.onFrame({
      type: 'call_signal',
      call_id: 'c1',
      data: { sdp: { type: 'answer', sdp: 'answer-sdp' } },
    });
    await settle();
    await settle();
    expect(peer.remoteDescription).toEqual({ type: 'answer', sdp: 'answer-sdp' });
    expect(peer.candidates).toEqual([{ candidate: 'early' }]);
    peer.connectionState = 'connected';
    peer.onconnectionstatechange?.();
    expect(store.getState().call.link).toBe('connected');

    engine.setMuted(true);
    expect(streams[0].getAudioTracks()[0].enabled).toBe(false);
    engine.hangup();
    expect(sent[sent.length - 1]).toEqual({ type: 'call_hangup', call_id: 'c1' });
    expect(store.getState().call.phase).toBe('idle');
    expect(peer.closed).toBe(true);
    expect(streams[0].getTracks().every((t) => t.stopped)).toBe(true);
  });

  it('answers an incoming call with its own description', async () => {
    const { store, sent, peers, engine, settle } = setUp();
    engine.onFrame({
      type: 'call_incoming',
      call_id: 'c2',
      conversation_id: 9,
      media: 'audio',
      caller_id: 1,
      caller_name: 'Alex',
    });
    expect(store.getState().call).toMatchObject({ phase: 'incoming', peerName: 'Alex' });
    engine.accept();
    expect(sent).toEqual([{ type: 'call_accept', call_id: 'c2' }]);
    engine.onFrame({ type: 'call_accepted', call_id: 'c2', conversation_id: 9 });
    engine.onFrame({
      type: 'call_signal',
      call_id: 'c2',
      data: { sdp: { type: 'offer', sdp: 'offer-sdp' } },
    });
    for (let i = 0; i < 5; i++) await settle();
    expect(peers[0].added.map((t) => t.kind)).toEqual(['audio']);
    expect(sent[1]).toMatchObject({ data: { sdp: { type: 'answer', sdp: 'answer-sdp' } } });
    engine.onFrame({
      type: 'call_ended',
      call_id: 'c2',
      conversation_id: 9,
      reason: 'hangup',
      duration_secs: 3,
    });
    expect(store.getState().call).toMatchObject({ phase: 'idle', notice: 'hangup' });
  });

  it('another device answering, a busy callee and a late ring end the call here', () => {
    const { store, sent, engine } = setUp();
    engine.onFrame({
      type: 'call_incoming',
      call_id: 'c3',
      conversation_id: 9,
      media: 'audio',
      caller_id: 1,
      caller_name: 'Alex',
    });
    engine.onFrame({
      type: 'call_ended',
      call_id: 'c3',
      conversation_id: 9,
      reason: 'answered_elsewhere',
    });
    expect(store.getState().call).toMatchObject({ phase: 'idle', notice: 'answered_elsewhere' });

    engine.call(9, 'audio', 'Rae');
    engine.onFrame({ type: 'call_busy', conversation_id: 9, user_id: 2 });
    expect(store.getState().call).toMatchObject({ phase: 'idle', notice: 'busy' });

    // Hung up before the server said it rings: the call it started is cancelled.
    engine.call(9, 'audio', 'Rae');
    engine.hangup();
    engine.onFrame({
      type: 'call_ringing',
      call_id: 'c4',
      conversation_id: 9,
      media: 'audio',
      callee_id: 2,
    });
    expect(sent[sent.length - 1]).toEqual({ type: 'call_cancel', call_id: 'c4' });
  });
});
