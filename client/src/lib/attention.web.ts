/** Web: the browser's Notification API, a short chime (Web Audio) and the tab title. */
export type Permission = 'granted' | 'denied' | 'default' | 'unsupported';

const hasNotifications = () => typeof window !== 'undefined' && 'Notification' in window;

export function notificationPermission(): Permission {
  return hasNotifications() ? (Notification.permission as Permission) : 'unsupported';
}

/** Asks the browser; must run from a click (browsers ignore requests made on their own). */
export async function requestNotificationPermission(): Promise<Permission> {
  if (!hasNotifications()) return 'unsupported';
  return (await Notification.requestPermission()) as Permission;
}

export function showDesktopNotification(title: string, body: string, tag: string): void {
  if (notificationPermission() !== 'granted') return;
  const n = new Notification(title, { body, tag });
  n.onclick = () => {
    window.focus();
    n.close();
  };
}

let audio: AudioContext | null = null;

/** Two soft notes, generated: no sound file to ship. */
export function playChime(): void {
  const Ctx = (window as { AudioContext?: typeof AudioContext }).AudioContext;
  if (!Ctx) return;
  audio = audio ?? new Ctx();
  const ctx = audio;
  [880, 1320].forEach((freq, i) => {
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    const start = ctx.currentTime + i * 0.12;
    osc.frequency.value = freq;
    gain.gain.setValueAtTime(0.001, start);
    gain.gain.exponentialRampToValueAtTime(0.15, start + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.001, start + 0.25);
    osc.connect(gain).connect(ctx.destination);
    osc.start(start);
    osc.stop(start + 0.3);
  });
}

export function setTabTitle(title: string): void {
  if (typeof document !== 'undefined' && document.title !== title) document.title = title;
}

export function pageIsWatched(): boolean {
  if (typeof document === 'undefined') return true;
  return document.visibilityState === 'visible' && document.hasFocus();
}
