import { createAsyncThunk, createSlice, type PayloadAction } from '@reduxjs/toolkit';

import * as peopleApi from '../api/people';
import type { Id, Notification } from '../api/types';
import { signedOut } from './auth';

export interface NotificationsState {
  items: Notification[];
  unreadCount: number;
  loaded: boolean;
}

const initialState: NotificationsState = { items: [], unreadCount: 0, loaded: false };

export const fetchNotifications = createAsyncThunk('notifications/fetch', () =>
  peopleApi.listNotifications(),
);
export const markNotificationRead = createAsyncThunk('notifications/read', async (id: Id) => {
  await peopleApi.readNotification(id);
  return id;
});
export const markAllNotificationsRead = createAsyncThunk('notifications/readAll', () =>
  peopleApi.readAllNotifications(),
);

const slice = createSlice({
  name: 'notifications',
  initialState,
  reducers: {
    notificationReceived(state, action: PayloadAction<Notification>) {
      const n = action.payload;
      if (state.items.some((x) => x.id === n.id)) return;
      state.items.unshift(n);
      if (!n.read) state.unreadCount += 1;
    },
  },
  extraReducers: (b) => {
    b.addCase(fetchNotifications.fulfilled, (state, action) => {
      state.items = action.payload.items;
      state.unreadCount = action.payload.unread_count;
      state.loaded = true;
    });
    // Optimistic: the mark shows at once.
    b.addCase(markNotificationRead.pending, (state, action) => {
      const n = state.items.find((x) => x.id === action.meta.arg);
      if (n && !n.read) {
        n.read = true;
        state.unreadCount = Math.max(0, state.unreadCount - 1);
      }
    });
    b.addCase(markAllNotificationsRead.pending, (state) => {
      state.items.forEach((n) => (n.read = true));
      state.unreadCount = 0;
    });
    b.addCase(signedOut, () => initialState);
  },
});

export const { notificationReceived } = slice.actions;
export default slice.reducer;
