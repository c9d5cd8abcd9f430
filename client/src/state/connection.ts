import { createSlice, type PayloadAction } from '@reduxjs/toolkit';

/**
 * Real-time link state, shown by the connection banner.
 * - connecting: first attempt (or a new one right after a drop), nothing to report yet
 * - online: authenticated and resumed
 * - offline: the device says it has no network
 * - unreachable: the network is up but the server can't be reached (or dropped us)
 * - reauthenticating: the server refused the token; refreshing it
 */
export type ConnectionStatus =
  'idle' | 'connecting' | 'online' | 'offline' | 'unreachable' | 'reauthenticating';

export interface ConnectionState {
  status: ConnectionStatus;
  /** Consecutive failed attempts since the last successful connection. */
  attempt: number;
  /** When the next attempt is scheduled (epoch ms), if waiting. */
  retryAt: number | null;
}

const initialState: ConnectionState = { status: 'idle', attempt: 0, retryAt: null };

const slice = createSlice({
  name: 'connection',
  initialState,
  reducers: {
    connectionChanged(
      state,
      action: PayloadAction<{
        status: ConnectionStatus;
        attempt?: number;
        retryAt?: number | null;
      }>,
    ) {
      state.status = action.payload.status;
      state.attempt =
        action.payload.attempt ?? (action.payload.status === 'online' ? 0 : state.attempt);
      state.retryAt = action.payload.retryAt ?? null;
    },
  },
});

export const { connectionChanged } = slice.actions;
export default slice.reducer;
