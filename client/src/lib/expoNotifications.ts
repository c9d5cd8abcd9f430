/**
 * Android: expo-notifications, or `null` in Expo Go (and jest, which plays Expo Go), where
 * SDK 53+ throws on import for Android push: there the app runs without push rather than
 * failing to start. Push needs a development or EAS build.
 */
import { isRunningInExpoGo } from 'expo';

type ExpoNotifications = typeof import('expo-notifications');

function load(): ExpoNotifications | null {
  if (isRunningInExpoGo()) return null;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('expo-notifications') as ExpoNotifications;
}

export const Notifications = load();
