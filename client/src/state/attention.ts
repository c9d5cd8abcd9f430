import AsyncStorage from '@react-native-async-storage/async-storage';
import { createAsyncThunk, createSlice } from '@reduxjs/toolkit';

import type { Id, Notification } from '../api/types';
import { signedOut } from './auth';

/** The agent's choices, kept on this device (each browser asks its own permission anyway). */
export interface AttentionPrefs {
  desktop: boolean;
  sound: boolean;
}

export interface AttentionState extends AttentionPrefs {
  userId: Id | null;
}

const initialState: AttentionState = { userId: null, desktop: false, sound: false };

export const attentionKey = (userId: Id) => `switchboard.attention.${userId}`;

export const loadAttention = createAsyncThunk('attention/load', async (userId: Id) => {
  let prefs: AttentionPrefs = { desktop: false, sound: false };
  try {
    const raw = await AsyncStorage.getItem(attentionKey(userId));
    if (raw) prefs = { ...prefs, ...(JSON.parse(raw) as Partial<AttentionPrefs>) };
  } catch {
    // Damaged: start from off.
  }
  return { userId, ...prefs };
});

export const setAttention = createAsyncThunk<
  AttentionPrefs,
  Partial<AttentionPrefs>,
  { state: { attention: AttentionState } }
>('attention/set', async (change, { getState }) => {
  const { userId, desktop, sound } = getState().attention;
  const prefs = { desktop, sound, ...change };
  if (userId != null) await AsyncStorage.setItem(attentionKey(userId), JSON.stringify(prefs));
  return prefs;
});

/**
 * Does a notification deserve a desktop alert (and the chime)? Not when it is about the
 * conversation the user has open in a window they are looking at: they see it already.
 */
export function shouldAlert(
  n: Notification,
  ctx: { activeConversationId: Id | null; watching: boolean },
): boolean {
  if (n.read) return false;
  const about = n.conversation_id ?? null;
  return !(ctx.watching && about != null && about === ctx.activeConversationId);
}

/** "(3) Switchboard" */
export function tabTitle(unread: number, base = 'Switchboard'): string {
  return unread > 0 ? `(${unread > 99 ? '99+' : unread}) ${base}` : base;
}

const slice = createSlice({
  name: 'attention',
  initialState,
  reducers: {},
  extraReducers: (b) => {
    b.addCase(loadAttention.fulfilled, (_state, action) => action.payload);
    b.addCase(setAttention.pending, (state, action) => ({ ...state, ...action.meta.arg }));
    b.addCase(signedOut, () => initialState);
  },
});

export default slice.reducer;
