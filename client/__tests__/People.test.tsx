import * as peopleApi from '../src/api/people';
import { ContactsScreen } from '../src/screens/Contacts/ContactsScreen';
import { FriendRequestsScreen } from '../src/screens/FriendRequests/FriendRequestsScreen';
import { NotificationsScreen } from '../src/screens/Notifications/NotificationsScreen';
import { signedIn } from '../src/state/auth';
import { presenceChanged } from '../src/state/presence';
import { selectNotifications } from '../src/state/queries/notifications';
import { peopleApiSlice, selectContacts } from '../src/state/queries/people';
import { makeStore } from '../src/state/store';
import { me } from './helpers/fixtures';
import { renderScreen } from './helpers/render';
import { act, findTestId, press, queryTestId, textOf, waitFor } from './helpers/ui';

jest.mock('../src/api/people');
const mocked = peopleApi as jest.Mocked<typeof peopleApi>;
const ana = { id: 2, display_name: 'Ana Agent', role: 'agent' as const, avatar_url: '' };
const bob = { id: 3, display_name: 'Bob Baker', role: 'customer' as const, avatar_url: '' };
const mine = { id: 1, display_name: 'Me Myself', role: 'customer' as const, avatar_url: '' };

function signedInStore() {
  const store = makeStore();
  store.dispatch(signedIn(me));
  return store;
}

describe('Contacts screen', () => {
  it('lists contacts with live presence and the number of incoming requests', async () => {
    mocked.listContacts.mockResolvedValue([{ user: ana, online: false, since: '' }]);
    mocked.listFriendRequests.mockResolvedValue({
      incoming: [{ id: 9, from: bob, to: mine, status: 'pending', created_at: '' }],
      outgoing: [],
    });
    const store = signedInStore();
    await renderScreen(ContactsScreen, { store });
    await findTestId('contact-row-2');
    expect(textOf('contact-presence-2')).toBe('Offline');
    await waitFor(() => expect(textOf('contacts-requests')).toBe('Friend requests (1)'));
    await act(async () => {
      store.dispatch(presenceChanged({ userId: 2, online: true }));
    });
    expect(textOf('contact-presence-2')).toBe('Online');
  });
});

describe('Contacts screen, opened after sign-in', () => {
  it('loads the list again even though the session already holds one', async () => {
    mocked.listContacts.mockResolvedValueOnce([]);
    mocked.listContacts.mockResolvedValue([{ user: ana, online: true, since: '' }]);
    mocked.listFriendRequests.mockResolvedValue({ incoming: [], outgoing: [] });
    const store = signedInStore();
    // Held since sign-in (App.tsx), from before Ana became a contact.
    await store.dispatch(peopleApiSlice.endpoints.getContacts.initiate());
    await renderScreen(ContactsScreen, { store });
    await findTestId('contact-row-2');
  });
});

describe('Friend requests screen', () => {
  it('accepting a request removes it and reloads contacts', async () => {
    mocked.listFriendRequests.mockResolvedValue({
      incoming: [{ id: 9, from: bob, to: mine, status: 'pending', created_at: '' }],
      outgoing: [],
    });
    mocked.acceptFriendRequest.mockResolvedValue({
      id: 9,
      from: bob,
      to: mine,
      status: 'accepted',
      created_at: '',
    });
    mocked.listContacts.mockResolvedValueOnce([]);
    mocked.listContacts.mockResolvedValue([{ user: bob, online: true, since: '' }]);
    const store = signedInStore();
    // The contact list as the app holds it from sign-in.
    await store.dispatch(peopleApiSlice.endpoints.getContacts.initiate());
    await renderScreen(FriendRequestsScreen, { store });
    await findTestId('request-row-9');
    await press('request-accept-9');
    expect(mocked.acceptFriendRequest).toHaveBeenCalledWith(9);
    await waitFor(() => expect(queryTestId('request-row-9')).toBeNull());
    await waitFor(() =>
      expect(selectContacts(store.getState()).map((c) => c.user.id)).toEqual([3]),
    );
  });
});

describe('Notifications screen', () => {
  it('shows unread notifications and marks them all read', async () => {
    mocked.listNotifications.mockResolvedValue({
      items: [
        {
          id: 1,
          kind: 'ticket_reply',
          title: 'New reply',
          body: 'Ana replied on #1001',
          ticket_id: 11,
          read: false,
          created_at: '',
        },
      ],
      unread_count: 1,
    });
    mocked.readAllNotifications.mockResolvedValue(undefined);
    const store = signedInStore();
    await renderScreen(NotificationsScreen, { store });
    await findTestId('notification-1');
    expect(textOf('notification-1')).toContain('Ana replied on #1001');
    await press('notifications-read-all');
    expect(mocked.readAllNotifications).toHaveBeenCalled();
    expect(selectNotifications(store.getState()).data?.unread_count).toBe(0);
    expect(queryTestId('notifications-read-all')).toBeNull();
  });
});
