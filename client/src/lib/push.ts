/**
 * Android: asks `expo-notifications` for this install's Expo push token and registers it with
 * the server as `{kind: "expo", token}` (README, "Push notifications"). After sign-in this runs
 * without asking (only when notifications are allowed already); `ask` shows Android's permission
 * prompt (Profile → "Notify me on this device"). Logging out removes the registration on the
 * server (it belongs to the session), as on the web.
 *
 * The token needs an Expo project id in the build (`eas init` writes `extra.eas.projectId` to
 * the app config); without one `getExpoPushTokenAsync` throws, and this says `no-project`
 * instead of failing. In Expo Go there is no push at all (lib/expoNotifications.ts). All of it
 * needs a device or an emulator with Google Play to try.
 */
import { Platform } from 'react-native';

import { registerSubscription } from '../api/push';
import { Notifications } from './expoNotifications';
import type { PushOutcome } from './pushOutcome';

export type { PushOutcome } from './pushOutcome';

/** What the device offers, injectable for tests. */
export interface PushDevice {
  /** Android 13+ shows the permission prompt only once a channel exists. */
  prepareChannel(): Promise<void>;
  permission(): Promise<{ granted: boolean; canAskAgain: boolean }>;
  requestPermission(): Promise<{ granted: boolean; canAskAgain: boolean }>;
  /** The Expo push token (`ExponentPushToken[…]`); throws as expo-notifications does. */
  token(): Promise<string>;
}

/** The channel the server's Expo pushes name (`channelId: "default"`, push/expo.rs). */
const CHANNEL = 'default';

function expoDevice(n: NonNullable<typeof Notifications>): PushDevice {
  return {
    async prepareChannel() {
      if (Platform.OS !== 'android') return;
      await n.setNotificationChannelAsync(CHANNEL, {
        name: 'Messages, tickets and calls',
        importance: n.AndroidImportance.HIGH,
        vibrationPattern: [0, 300, 200, 300],
      });
    },
    permission: () => n.getPermissionsAsync(),
    requestPermission: () => n.requestPermissionsAsync(),
    token: async () => (await n.getExpoPushTokenAsync()).data,
  };
}

/** `null` in Expo Go (lib/expoNotifications.ts). */
const device: PushDevice | null = Notifications ? expoDevice(Notifications) : null;

function errorCode(e: unknown): string | undefined {
  return e && typeof e === 'object' && 'code' in e
    ? String((e as { code: unknown }).code)
    : undefined;
}

export async function registerPush(
  options: { ask?: boolean } = {},
  env: PushDevice | null = device,
): Promise<PushOutcome> {
  if (!env) return 'unsupported';
  try {
    await env.prepareChannel();
  } catch {
    return 'failed';
  }
  let permission = await env.permission();
  if (!permission.granted && options.ask && permission.canAskAgain) {
    permission = await env.requestPermission();
  }
  if (!permission.granted) return permission.canAskAgain ? 'not-asked' : 'denied';
  let token: string;
  try {
    token = await env.token();
  } catch (e) {
    return errorCode(e) === 'ERR_NOTIFICATIONS_NO_EXPERIENCE_ID' ? 'no-project' : 'failed';
  }
  // The server's answer (400, offline) reaches the caller, as on the web.
  await registerSubscription({ kind: 'expo', token });
  return 'registered';
}

/** Whether this build can register for push (not in Expo Go). */
export const pushSupported = device !== null;

/**
 * A push that arrives while the app is open still shows (the server pushes only to people with
 * no open socket, so this is a device that just reconnected or another account's).
 */
export function showPushesInForeground(): void {
  Notifications?.setNotificationHandler({
    handleNotification: async () => ({
      shouldShowBanner: true,
      shouldShowList: true,
      shouldPlaySound: false,
      shouldSetBadge: false,
    }),
  });
}
