import { createSlice, type PayloadAction } from '@reduxjs/toolkit';

import type { Id } from '../api/types';
import { signedOut } from './auth';
import { peopleApiSlice } from './queries/people';

export interface PresenceState {
  /** user id → online, from `presence` frames (wins over the contact list's snapshot). */
  byUser: Record<string, boolean>;
}

const initialState: PresenceState = { byUser: {} };

/** Who is online: seeded by the contact list, then moved by `presence` and `contact` frames. */
const slice = createSlice({
  name: 'presence',
  initialState,
  reducers: {
    presenceChanged(state, action: PayloadAction<{ userId: Id; online: boolean }>) {
      state.byUser[String(action.payload.userId)] = action.payload.online;
    },
  },
  extraReducers: (b) => {
    b.addCase(signedOut, () => initialState);
    b.addMatcher(peopleApiSlice.endpoints.getContacts.matchFulfilled, (state, action) => {
      for (const c of action.payload) state.byUser[String(c.user.id)] = c.online;
    });
  },
});

export const { presenceChanged } = slice.actions;
export default slice.reducer;
