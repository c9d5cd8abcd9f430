/**
 * Native: nothing registered yet. The Android app would register its Expo push token
 * (`expo-notifications`' `getExpoPushTokenAsync`) as `{kind: "expo", token}`; that needs a
 * device and an Expo project id to try (README, "Push notifications").
 */
export type PushOutcome = 'registered' | 'unsupported' | 'denied' | 'not-asked';

export async function registerPush(_options: { ask?: boolean } = {}): Promise<PushOutcome> {
  return 'unsupported';
}

/** Whether this platform can register for push here (native: not yet). */
export const pushSupported = false;
