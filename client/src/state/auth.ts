import { createSlice, type PayloadAction } from '@reduxjs/toolkit';

import type { Role, User } from '../api/types';

export type AuthStatus = 'loading' | 'signedOut' | 'signedIn';

export interface AuthState {
  status: AuthStatus;
  user: User | null;
  /** Why the user was sent back to sign-in, if it wasn't their choice. */
  reason: 'expired' | null;
}

const initialState: AuthState = { status: 'loading', user: null, reason: null };

const slice = createSlice({
  name: 'auth',
  initialState,
  reducers: {
    signedIn(state, action: PayloadAction<User>) {
      state.status = 'signedIn';
      state.user = action.payload;
      state.reason = null;
    },
    signedOut(state, action: PayloadAction<{ expired?: boolean } | undefined>) {
      state.status = 'signedOut';
      state.user = null;
      state.reason = action.payload?.expired ? 'expired' : null;
    },
    userUpdated(state, action: PayloadAction<User>) {
      if (state.user && state.user.id === action.payload.id) state.user = action.payload;
    },
    /** An admin changed our role (`account_updated`): the app switches screens at once. */
    roleChanged(state, action: PayloadAction<Role>) {
      if (state.user) state.user.role = action.payload;
    },
  },
});

export const { signedIn, signedOut, userUpdated, roleChanged } = slice.actions;

export const isStaffRole = (role: Role | null | undefined): boolean =>
  role === 'agent' || role === 'admin';
export default slice.reducer;
