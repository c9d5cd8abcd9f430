import { createSlice, type PayloadAction } from '@reduxjs/toolkit';

import type { HereActivity, Id } from '../api/types';
import { signedOut } from './auth';

/** Without a refresh (the app repeats its state every 20 s), someone is gone after this. */
export const HERE_TTL_MS = 60_000;

export interface HereEntry {
  name: string;
  activity: Exclude<HereActivity, 'left'>;
  until: number;
}

/** Who else (staff) has a ticket's conversation open, and whether they are writing in it. */
export interface HereState {
  byConversation: Record<string, Record<string, HereEntry>>;
}

const initialState: HereState = { byConversation: {} };

const slice = createSlice({
  name: 'here',
  initialState,
  reducers: {
    hereReceived(
      state,
      action: PayloadAction<{
        conversationId: Id;
        userId: Id;
        name: string;
        activity: HereActivity;
        now: number;
      }>,
    ) {
      const { conversationId, userId, name, activity, now } = action.payload;
      const key = String(conversationId);
      const people = { ...(state.byConversation[key] ?? {}) };
      if (activity === 'left') delete people[String(userId)];
      else people[String(userId)] = { name, activity, until: now + HERE_TTL_MS };
      if (Object.keys(people).length) state.byConversation[key] = people;
      else delete state.byConversation[key];
    },
    hereExpired(state, action: PayloadAction<{ now: number }>) {
      for (const [key, people] of Object.entries(state.byConversation)) {
        for (const [uid, e] of Object.entries(people))
          if (e.until <= action.payload.now) delete people[uid];
        if (!Object.keys(people).length) delete state.byConversation[key];
      }
    },
    /** The link dropped: what we knew may be stale; everyone repeats their state on return. */
    hereCleared() {
      return initialState;
    },
  },
  extraReducers: (b) => {
    b.addCase(signedOut, () => initialState);
  },
});

/** The others in a conversation, by name. */
export function othersHere(
  state: HereState,
  conversationId: Id,
): { id: Id; name: string; activity: HereEntry['activity'] }[] {
  return Object.entries(state.byConversation[String(conversationId)] ?? {})
    .map(([id, e]) => ({ id: Number(id), name: e.name, activity: e.activity }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

export const { hereReceived, hereExpired, hereCleared } = slice.actions;
export default slice.reducer;
