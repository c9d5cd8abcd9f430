import * as peopleApi from '../../api/people';
import type { Id, Notification, NotificationList } from '../../api/types';
import type { AppDispatch } from '../store';
import { api, call } from './api';

export const notificationsApi = api.injectEndpoints({
  endpoints: (b) => ({
    getNotifications: b.query<NotificationList, void>({
      queryFn: () => call(() => peopleApi.listNotifications()),
      providesTags: ['Notifications'],
    }),
    markNotificationRead: b.mutation<null, Id>({
      queryFn: (id) => call(async () => (await peopleApi.readNotification(id), null)),
      // Optimistic: the mark shows at once.
      onQueryStarted(id, { dispatch }) {
        dispatch(
          notificationsApi.util.updateQueryData('getNotifications', undefined, (d) => {
            const n = d.items.find((x) => x.id === id);
            if (n && !n.read) {
              n.read = true;
              d.unread_count = Math.max(0, d.unread_count - 1);
            }
          }),
        );
      },
    }),
    markAllNotificationsRead: b.mutation<null, void>({
      queryFn: () => call(async () => (await peopleApi.readAllNotifications(), null)),
      onQueryStarted(_, { dispatch }) {
        dispatch(
          notificationsApi.util.updateQueryData('getNotifications', undefined, (d) => {
            d.items.forEach((n) => (n.read = true));
            d.unread_count = 0;
          }),
        );
      },
    }),
  }),
});

export const {
  useGetNotificationsQuery,
  useMarkNotificationReadMutation,
  useMarkAllNotificationsReadMutation,
} = notificationsApi;

/** The list as last loaded and kept live (undefined before the first answer). */
export const selectNotifications = notificationsApi.endpoints.getNotifications.select();

/** A `notification` frame: new ones go on top of the cached list (and count as unread). */
export const notificationReceived = (n: Notification) => (dispatch: AppDispatch) => {
  dispatch(
    notificationsApi.util.updateQueryData('getNotifications', undefined, (d) => {
      if (d.items.some((x) => x.id === n.id)) return;
      d.items.unshift(n);
      if (!n.read) d.unread_count += 1;
    }),
  );
};
