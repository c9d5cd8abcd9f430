import { createAsyncThunk, createSlice, type PayloadAction } from '@reduxjs/toolkit';

import * as peopleApi from '../api/people';
import type { Contact, FriendRequest, Id, User } from '../api/types';
import { signedOut } from './auth';

export interface PeopleState {
  /** user id → contact */
  contacts: Record<string, Contact>;
  contactsLoaded: boolean;
  incoming: FriendRequest[];
  outgoing: FriendRequest[];
  /** user id → online, from `presence` frames (wins over the contact list's snapshot). */
  presence: Record<string, boolean>;
  search: { q: string; items: User[]; nextCursor: string | null; loading: boolean };
}

const initialState: PeopleState = {
  contacts: {},
  contactsLoaded: false,
  incoming: [],
  outgoing: [],
  presence: {},
  search: { q: '', items: [], nextCursor: null, loading: false },
};

export const fetchContacts = createAsyncThunk('people/contacts', () => peopleApi.listContacts());
export const fetchFriendRequests = createAsyncThunk('people/requests', () =>
  peopleApi.listFriendRequests(),
);
export const searchUsers = createAsyncThunk('people/search', async (q: string) => ({
  q,
  page: await peopleApi.searchUsers(q),
}));

function placeRequest(state: PeopleState, r: FriendRequest, myId: Id) {
  state.incoming = state.incoming.filter((x) => x.id !== r.id);
  state.outgoing = state.outgoing.filter((x) => x.id !== r.id);
  if (r.status !== 'pending') return;
  if (r.to.id === myId) state.incoming.unshift(r);
  else if (r.from.id === myId) state.outgoing.unshift(r);
}

const slice = createSlice({
  name: 'people',
  initialState,
  reducers: {
    presenceChanged(state, action: PayloadAction<{ userId: Id; online: boolean }>) {
      state.presence[String(action.payload.userId)] = action.payload.online;
      const c = state.contacts[String(action.payload.userId)];
      if (c) c.online = action.payload.online;
    },
    friendRequestReceived(state, action: PayloadAction<{ request: FriendRequest; myId: Id }>) {
      placeRequest(state, action.payload.request, action.payload.myId);
    },
    contactUpserted(state, action: PayloadAction<Contact>) {
      const c = action.payload;
      state.contacts[String(c.user.id)] = c;
      state.presence[String(c.user.id)] = c.online;
      // A new contact settles any pending request between us.
      state.incoming = state.incoming.filter((r) => r.from.id !== c.user.id);
      state.outgoing = state.outgoing.filter((r) => r.to.id !== c.user.id);
    },
    contactRemoved(state, action: PayloadAction<Id>) {
      delete state.contacts[String(action.payload)];
    },
  },
  extraReducers: (b) => {
    b.addCase(fetchContacts.fulfilled, (state, action) => {
      state.contacts = {};
      for (const c of action.payload) {
        state.contacts[String(c.user.id)] = c;
        state.presence[String(c.user.id)] = c.online;
      }
      state.contactsLoaded = true;
    });
    b.addCase(fetchFriendRequests.fulfilled, (state, action) => {
      state.incoming = action.payload.incoming.filter((r) => r.status === 'pending');
      state.outgoing = action.payload.outgoing.filter((r) => r.status === 'pending');
    });
    b.addCase(searchUsers.pending, (state, action) => {
      state.search.q = action.meta.arg;
      state.search.loading = true;
    });
    b.addCase(searchUsers.fulfilled, (state, action) => {
      if (action.payload.q !== state.search.q) return;
      state.search.items = action.payload.page.items;
      state.search.nextCursor = action.payload.page.next_cursor ?? null;
      state.search.loading = false;
    });
    b.addCase(searchUsers.rejected, (state) => {
      state.search.loading = false;
    });
    b.addCase(signedOut, () => initialState);
  },
});

export const { presenceChanged, friendRequestReceived, contactUpserted, contactRemoved } =
  slice.actions;
export default slice.reducer;
