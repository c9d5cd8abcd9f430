// Android: a tapped push opens its screen through React Navigation's linking, both when the tap
// started the app and while it runs (lib/notificationLinks.ts); the link names a real screen.
import { getStateFromPath } from '@react-navigation/native';
import { Linking, Platform } from 'react-native';

import { notificationLinking } from '../src/lib/notificationLinks';
import { linking } from '../src/navigation/linking';

type MockTap = (r: unknown) => void;
const mockTaps: MockTap[] = [];
const mockRemoved = jest.fn();
const mockLast = jest.fn(async (): Promise<unknown> => null);

jest.mock('../src/lib/expoNotifications', () => ({
  Notifications: {
    getLastNotificationResponseAsync: () => mockLast(),
    addNotificationResponseReceivedListener: (fn: MockTap) => {
      mockTaps.push(fn);
      return { remove: mockRemoved };
    },
  },
}));

const response = (data: object) => ({ notification: { request: { content: { data } } } });

/** The screen and params React Navigation opens for a `switchboard://` link. */
function screenFor(url: string) {
  const state = getStateFromPath(url.replace('switchboard://', ''), linking.config);
  const route = state?.routes[state.routes.length - 1];
  return { name: route?.name, params: route?.params };
}

(Platform.OS === 'web' ? describe.skip : describe)('tapped pushes (Android)', () => {
  it('opens the ticket whose push started the app', async () => {
    jest.spyOn(Linking, 'getInitialURL').mockResolvedValue(null);
    mockLast.mockResolvedValueOnce(response({ kind: 'ticket_reply', ticket_id: 12 }));
    const url = await notificationLinking.getInitialURL!();
    expect(url).toBe('switchboard://tickets/12');
    expect(screenFor(url!)).toEqual({ name: 'TicketDetail', params: { id: 12 } });
  });

  it('keeps an ordinary deep link first, and nothing when neither is there', async () => {
    jest.spyOn(Linking, 'getInitialURL').mockResolvedValue('switchboard://contacts');
    await expect(notificationLinking.getInitialURL!()).resolves.toBe('switchboard://contacts');
    jest.spyOn(Linking, 'getInitialURL').mockResolvedValue(null);
    await expect(notificationLinking.getInitialURL!()).resolves.toBeNull();
  });

  it('opens the chat of a call tapped while the app runs, until unsubscribed', () => {
    const listener = jest.fn();
    const stop = notificationLinking.subscribe!(listener);
    mockTaps.at(-1)!(response({ kind: 'call', conversation_id: 8, ticket_id: null }));
    expect(listener).toHaveBeenCalledWith('switchboard://chats/8');
    expect(screenFor('switchboard://chats/8')).toEqual({ name: 'Chat', params: { id: 8 } });
    (stop as () => void)();
    expect(mockRemoved).toHaveBeenCalled();
  });
});
