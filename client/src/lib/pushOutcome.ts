/** How turning push on for this device went (lib/push.ts on Android, lib/push.web.ts). */
export type PushOutcome =
  | 'registered'
  | 'unsupported'
  | 'denied'
  | 'not-asked'
  /** Android: the app was built without an Expo project id, so there is no Expo push token. */
  | 'no-project'
  /** Android: the push token could not be had (no network, Google Play services missing…). */
  | 'failed';
