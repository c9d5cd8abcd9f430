/**
 * Android: a tapped push opens its ticket or chat (lib/pushRoute.ts, the web service worker's
 * rule) through React Navigation's linking, both when the tap started the app and while it runs.
 */
import type { LinkingOptions } from '@react-navigation/native';
import type { NotificationResponse } from 'expo-notifications';
import { Linking } from 'react-native';

import { Notifications } from './expoNotifications';
import { pushLink } from './pushRoute';

type Links = Pick<LinkingOptions<object>, 'getInitialURL' | 'subscribe'>;

const tapped = (r: NotificationResponse) => pushLink(r.notification.request.content.data);

/** React Navigation's own behaviour (links only) plus taps; Expo Go: links only. */
export const notificationLinking: Links = {
  async getInitialURL() {
    const url = await Linking.getInitialURL();
    if (url || !Notifications) return url;
    const response = await Notifications.getLastNotificationResponseAsync();
    return response ? tapped(response) : null;
  },
  subscribe(listener) {
    const links = Linking.addEventListener('url', ({ url }) => listener(url));
    const taps = Notifications?.addNotificationResponseReceivedListener((r) => listener(tapped(r)));
    return () => {
      links.remove();
      taps?.remove();
    };
  },
};
