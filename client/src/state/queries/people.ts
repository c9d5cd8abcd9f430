import * as peopleApi from '../../api/people';
import type { Contact, FriendRequest, Id, UserPage } from '../../api/types';
import type { AppDispatch } from '../store';
import { api, call } from './api';

export interface FriendRequests {
  incoming: FriendRequest[];
  outgoing: FriendRequest[];
}

export const peopleApiSlice = api.injectEndpoints({
  endpoints: (b) => ({
    getContacts: b.query<Contact[], void>({
      queryFn: () => call(() => peopleApi.listContacts()),
      providesTags: ['Contacts'],
    }),
    /** Pending requests only: answered ones leave the lists. */
    getFriendRequests: b.query<FriendRequests, void>({
      queryFn: () =>
        call(async () => {
          const res = await peopleApi.listFriendRequests();
          return {
            incoming: res.incoming.filter((r) => r.status === 'pending'),
            outgoing: res.outgoing.filter((r) => r.status === 'pending'),
          };
        }),
      providesTags: ['FriendRequests'],
    }),
    searchUsers: b.query<UserPage, string>({
      queryFn: (q) => call(() => peopleApi.searchUsers(q)),
    }),
  }),
});

export const { useGetContactsQuery, useGetFriendRequestsQuery, useSearchUsersQuery } =
  peopleApiSlice;

const NO_REQUESTS: FriendRequests = { incoming: [], outgoing: [] };
export const selectFriendRequests = (s: Parameters<typeof selectRequestsEntry>[0]) =>
  selectRequestsEntry(s).data ?? NO_REQUESTS;
const selectRequestsEntry = peopleApiSlice.endpoints.getFriendRequests.select();
const NO_CONTACTS: Contact[] = [];
export const selectContacts = (s: Parameters<typeof selectContactsEntry>[0]) =>
  selectContactsEntry(s).data ?? NO_CONTACTS;
const selectContactsEntry = peopleApiSlice.endpoints.getContacts.select();

/** A request created, answered or withdrawn (a frame, or our own action): the lists follow. */
export const friendRequestReceived =
  ({ request: r, myId }: { request: FriendRequest; myId: Id }) =>
  (dispatch: AppDispatch) => {
    dispatch(
      peopleApiSlice.util.updateQueryData('getFriendRequests', undefined, (d) => {
        d.incoming = d.incoming.filter((x) => x.id !== r.id);
        d.outgoing = d.outgoing.filter((x) => x.id !== r.id);
        if (r.status !== 'pending') return;
        if (r.to.id === myId) d.incoming.unshift(r);
        else if (r.from.id === myId) d.outgoing.unshift(r);
      }),
    );
  };

/** A `contact` frame: the contact is listed, and any pending request between us is settled. */
export const contactUpserted = (c: Contact) => (dispatch: AppDispatch) => {
  dispatch(
    peopleApiSlice.util.updateQueryData('getContacts', undefined, (d) => {
      const at = d.findIndex((x) => x.user.id === c.user.id);
      if (at >= 0) d[at] = c;
      else d.push(c);
    }),
  );
  dispatch(
    peopleApiSlice.util.updateQueryData('getFriendRequests', undefined, (d) => {
      d.incoming = d.incoming.filter((r) => r.from.id !== c.user.id);
      d.outgoing = d.outgoing.filter((r) => r.to.id !== c.user.id);
    }),
  );
};

export const contactRemoved = (userId: Id) => (dispatch: AppDispatch) => {
  dispatch(
    peopleApiSlice.util.updateQueryData('getContacts', undefined, (d) =>
      d.filter((x) => x.user.id !== userId),
    ),
  );
};
