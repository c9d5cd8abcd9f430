import { createApi, fakeBaseQuery } from '@reduxjs/toolkit/query/react';

import { toApiFailure, type ApiFailure } from '../../api/client';

/**
 * The one way server data is read: RTK Query over the typed calls in `src/api/` (one axios
 * instance, one token refresh). Each domain adds its endpoints in its own file next to this one
 * (like bluesky social-app's `state/queries`); the socket's frames update these caches
 * (`realtime/dispatcher.ts`) and a reconnect invalidates what frames don't replay.
 */
export const api = createApi({
  reducerPath: 'api',
  baseQuery: fakeBaseQuery<ApiFailure>(),
  // Tests mount and unmount hundreds of screens: there an unused answer is dropped at once, so
  // no 60 s clean-up timer keeps the test run alive after its last test.
  keepUnusedDataFor: process.env.NODE_ENV === 'test' ? 0 : 60,
  tagTypes: [
    'CannedResponses',
    'Conversations',
    'Contacts',
    'FriendRequests',
    'Notifications',
    'SlaSettings',
    'Teams',
    'Ticket',
    'TicketEvents',
    'TicketLists',
    'TeamRouting',
    'Unread',
    'Webhooks',
    'WebhookDeliveries',
  ],
  endpoints: () => ({}),
});

/** Runs a typed call for a `queryFn`: its value as `data`, a failure in the protocol's shape. */
export async function call<T>(
  request: () => Promise<T>,
): Promise<{ data: T } | { error: ApiFailure }> {
  try {
    return { data: await request() };
  } catch (e) {
    return { error: toApiFailure(e) };
  }
}
