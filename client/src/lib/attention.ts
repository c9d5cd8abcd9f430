/**
 * Native: desktop notifications and the tab title are web things; the phone's own push
 * notifications are another piece of work. Everything here reports "unsupported".
 */
export type Permission = 'granted' | 'denied' | 'default' | 'unsupported';

export function notificationPermission(): Permission {
  return 'unsupported';
}

export async function requestNotificationPermission(): Promise<Permission> {
  return 'unsupported';
}

export function showDesktopNotification(_title: string, _body: string, _tag: string): void {}

export function playChime(): void {}

export function setTabTitle(_title: string): void {}

/** Whether the user is looking at the app right now. */
export function pageIsWatched(): boolean {
  return true;
}
