import AsyncStorage from '@react-native-async-storage/async-storage';

import * as peopleApi from '../src/api/people';
import type { Notification } from '../src/api/types';
import { AttentionEffects, AttentionSettings } from '../src/components/Attention';
import * as attention from '../src/lib/attention';
import { attentionKey, shouldAlert, tabTitle } from '../src/state/attention';
import { signedIn } from '../src/state/auth';
import { activeConversationChanged } from '../src/state/conversations';
import { notificationReceived, notificationsApi } from '../src/state/queries/notifications';
import { makeStore } from '../src/state/store';
import { agent } from './helpers/fixtures';
import { renderWithApp } from './helpers/render';
import { act, findTestId, press, textOf, waitFor } from './helpers/ui';

// The browser's Notification API, audio and document title: the platform edge, recorded here.
jest.mock('../src/lib/attention', () => ({
  notificationPermission: jest.fn(() => 'default'),
  requestNotificationPermission: jest.fn(async () => 'granted'),
  showDesktopNotification: jest.fn(),
  playChime: jest.fn(),
  setTabTitle: jest.fn(),
  pageIsWatched: jest.fn(() => true),
}));
jest.mock('../src/api/people');
const platform = attention as jest.Mocked<typeof attention>;
const people = peopleApi as jest.Mocked<typeof peopleApi>;

const notice = (id: number, conversation_id: number | null, read = false): Notification => ({
  id,
  kind: 'ticket_reply',
  title: `New reply on #100${id}`,
  body: 'Thanks!',
  ticket_id: 3,
  conversation_id,
  read,
  created_at: '2026-11-25T12:00:00.000Z',
});

beforeEach(async () => {
  await AsyncStorage.clear();
  platform.notificationPermission.mockReturnValue('default');
  platform.pageIsWatched.mockReturnValue(true);
});

describe('what deserves an alert', () => {
  it('everything unread, except what the user is looking at', () => {
    const watching = { activeConversationId: 70, watching: true };
    expect(shouldAlert(notice(1, 71), watching)).toBe(true);
    expect(shouldAlert(notice(1, 70), watching)).toBe(false);
    expect(shouldAlert(notice(1, 70), { ...watching, watching: false })).toBe(true);
    expect(shouldAlert(notice(1, null), watching)).toBe(true);
    expect(shouldAlert(notice(1, 71, true), watching)).toBe(false);
  });

  it('puts the unread count in the tab title', () => {
    expect(tabTitle(0)).toBe('Switchboard');
    expect(tabTitle(3)).toBe('(3) Switchboard');
    expect(tabTitle(150)).toBe('(99+) Switchboard');
  });
});

describe('alerts', () => {
  it('are off until the agent opts in; then new notifications alert, except the one on screen', async () => {
    const store = makeStore();
    store.dispatch(signedIn(agent));
    people.listNotifications.mockResolvedValue({ items: [notice(1, 70)], unread_count: 1 });
    await renderWithApp(
      <>
        <AttentionEffects />
        <AttentionSettings />
      </>,
      { store },
    );
    await act(async () => {
      await store.dispatch(notificationsApi.endpoints.getNotifications.initiate());
    });
    expect(platform.setTabTitle).toHaveBeenLastCalledWith('(1) Switchboard');
    // Old news raises nothing; nor does a new one before the opt-in.
    await act(async () => {
      store.dispatch(notificationReceived(notice(2, 71)));
    });
    expect(platform.showDesktopNotification).not.toHaveBeenCalled();
    expect(platform.setTabTitle).toHaveBeenLastCalledWith('(2) Switchboard');

    // The opt-in asks the browser, from the click.
    expect(textOf('attention-desktop-state')).toBe('Desktop notifications are off.');
    await press('attention-desktop');
    expect(platform.requestNotificationPermission).toHaveBeenCalledTimes(1);
    await waitFor(() => expect(store.getState().attention.desktop).toBe(true));
    await press('attention-sound');
    expect(JSON.parse((await AsyncStorage.getItem(attentionKey(agent.id)))!)).toEqual({
      desktop: true,
      sound: true,
    });
    platform.playChime.mockClear();

    await act(async () => {
      store.dispatch(notificationReceived(notice(3, 72)));
    });
    expect(platform.showDesktopNotification).toHaveBeenCalledWith(
      'New reply on #1003',
      'Thanks!',
      'switchboard-3',
    );
    expect(platform.playChime).toHaveBeenCalledTimes(1);

    // The agent has conversation 72 open and is looking: nothing for it.
    platform.showDesktopNotification.mockClear();
    await act(async () => {
      store.dispatch(activeConversationChanged(72));
      store.dispatch(notificationReceived(notice(4, 72)));
    });
    expect(platform.showDesktopNotification).not.toHaveBeenCalled();
    // In another tab (not watched), it alerts.
    platform.pageIsWatched.mockReturnValue(false);
    await act(async () => {
      store.dispatch(notificationReceived(notice(5, 72)));
    });
    expect(platform.showDesktopNotification).toHaveBeenCalledTimes(1);
  });

  it('say so when the browser blocks them', async () => {
    platform.notificationPermission.mockReturnValue('denied');
    const store = makeStore();
    store.dispatch(signedIn(agent));
    await renderWithApp(<AttentionSettings />, { store });
    await findTestId('attention-desktop-state');
    expect(textOf('attention-desktop-state')).toContain('blocked');
  });
});
