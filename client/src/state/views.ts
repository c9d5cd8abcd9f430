import AsyncStorage from '@react-native-async-storage/async-storage';
import { createAsyncThunk, createSlice, type PayloadAction } from '@reduxjs/toolkit';

import type { TicketQuery, TicketSort } from '../api/tickets';
import type { Id, Priority, TicketCounts, TicketStatus } from '../api/types';
import { uuidv4 } from '../lib/uuid';
import { signedOut } from './auth';
import { ticketQuery, type TicketTab } from './tickets';

/**
 * A saved view: a tab, filters and a sort, named by the agent. Views are kept on the device,
 * per user (AsyncStorage: localStorage on the web), not on the server: they follow the agent on
 * this browser or phone, not across devices.
 */
export interface SavedView {
  id: string;
  name: string;
  tab: TicketTab;
  status?: TicketStatus;
  priority?: Priority;
  q?: string;
  sort: TicketSort;
  /** The team of a "My teams" view. */
  team?: Id | null;
}

export interface ViewsState {
  userId: Id | null;
  items: SavedView[];
}

const initialState: ViewsState = { userId: null, items: [] };

export const viewsKey = (userId: Id) => `switchboard.views.${userId}`;

/** The REST query a view stands for. */
export function viewQuery(v: SavedView): TicketQuery {
  return ticketQuery(
    v.tab,
    { status: v.status, priority: v.priority, q: v.q || undefined, sort: v.sort },
    v.team ?? null,
  );
}

/**
 * How many tickets a view lists, from the per-status counts of its query: the status it filters
 * on, or every status (the queue leaves closed tickets out, as its list does).
 */
export function countFor(v: SavedView, counts: TicketCounts): number {
  if (v.status) return counts[v.status] ?? 0;
  const all = counts.open + counts.in_progress + (counts.pending ?? 0) + counts.closed;
  return v.tab === 'queue' ? all - counts.closed : all;
}

export const loadViews = createAsyncThunk('views/load', async (userId: Id) => {
  const raw = await AsyncStorage.getItem(viewsKey(userId));
  let items: SavedView[] = [];
  try {
    const parsed: unknown = raw ? JSON.parse(raw) : [];
    if (Array.isArray(parsed)) items = parsed as SavedView[];
  } catch {
    // A damaged entry is dropped, not fatal.
  }
  return { userId, items };
});

async function persist(state: ViewsState) {
  if (state.userId != null)
    await AsyncStorage.setItem(viewsKey(state.userId), JSON.stringify(state.items));
}

export const saveView = createAsyncThunk<
  SavedView,
  Omit<SavedView, 'id'>,
  { state: { views: ViewsState } }
>('views/save', async (fields, { dispatch, getState }) => {
  const view = { ...fields, name: fields.name.trim(), id: uuidv4() };
  dispatch(slice.actions.viewAdded(view));
  await persist(getState().views);
  return view;
});

export const removeView = createAsyncThunk<void, string, { state: { views: ViewsState } }>(
  'views/remove',
  async (id, { dispatch, getState }) => {
    dispatch(slice.actions.viewRemoved(id));
    await persist(getState().views);
  },
);

const slice = createSlice({
  name: 'views',
  initialState,
  reducers: {
    viewAdded(state, action: PayloadAction<SavedView>) {
      state.items.push(action.payload);
    },
    viewRemoved(state, action: PayloadAction<string>) {
      state.items = state.items.filter((v) => v.id !== action.payload);
    },
  },
  extraReducers: (b) => {
    b.addCase(loadViews.fulfilled, (state, action) => {
      state.userId = action.payload.userId;
      state.items = action.payload.items;
    });
    b.addCase(signedOut, () => initialState);
  },
});

export const { viewAdded, viewRemoved } = slice.actions;
export default slice.reducer;
