import { createSlice, type PayloadAction } from '@reduxjs/toolkit';

import type { Id } from '../api/types';
import { signedOut } from './auth';

export type CallMedia = 'audio' | 'video';

/**
 * The call this device is in, as the screens show it. The peer connection and the media
 * streams live in the call engine (`calls/engine.ts`), not here: they are not serialisable.
 */
export interface CallState {
  /** idle → outgoing (we ring) or incoming (we are rung) → active (answered) → idle. */
  phase: 'idle' | 'outgoing' | 'incoming' | 'active';
  callId: string | null;
  conversationId: Id | null;
  media: CallMedia;
  /** The other person's name (the caller's, when we are rung). */
  peerName: string;
  /** When the call was answered (ms since the epoch), for the duration. */
  answeredAt: number | null;
  /** RTCPeerConnection.connectionState while active. */
  link: string;
  muted: boolean;
  cameraOff: boolean;
  sharing: boolean;
  /** Why the last call ended, or a refusal (`busy`, an error code), shown until the next. */
  notice: string | null;
}

const initialState: CallState = {
  phase: 'idle',
  callId: null,
  conversationId: null,
  media: 'audio',
  peerName: '',
  answeredAt: null,
  link: 'new',
  muted: false,
  cameraOff: false,
  sharing: false,
  notice: null,
};

const slice = createSlice({
  name: 'call',
  initialState,
  reducers: {
    callStarted(
      state,
      action: PayloadAction<{ conversationId: Id; media: CallMedia; peerName: string }>,
    ) {
      return { ...initialState, phase: 'outgoing', ...action.payload };
    },
    callRinging(state, action: PayloadAction<{ callId: string }>) {
      state.callId = action.payload.callId;
    },
    callIncoming(
      state,
      action: PayloadAction<{
        callId: string;
        conversationId: Id;
        media: CallMedia;
        peerName: string;
      }>,
    ) {
      return { ...initialState, phase: 'incoming', ...action.payload };
    },
    callAnswered(state, action: PayloadAction<{ at: number }>) {
      state.phase = 'active';
      state.answeredAt = action.payload.at;
    },
    callLink(state, action: PayloadAction<string>) {
      state.link = action.payload;
    },
    callToggled(
      state,
      action: PayloadAction<Partial<Pick<CallState, 'muted' | 'cameraOff' | 'sharing'>>>,
    ) {
      Object.assign(state, action.payload);
    },
    callEnded(state, action: PayloadAction<{ notice: string | null }>) {
      return { ...initialState, notice: action.payload.notice };
    },
  },
  extraReducers: (b) => b.addCase(signedOut, () => initialState),
});

export const {
  callStarted,
  callRinging,
  callIncoming,
  callAnswered,
  callLink,
  callToggled,
  callEnded,
} = slice.actions;
export default slice.reducer;
