/**
 * "Do not disturb" in the push preferences: a daily quiet period as minutes of the day in the
 * device's local time, sent with the device's offset from UTC (the server keeps a fixed offset,
 * no time zone database). After a daylight saving change the offset is stale: the app sends the
 * new one when it starts (`followDeviceOffset`).
 */
import { getPushPreferences, setPushPreferences } from '../api/push';
import type { PushPreferences } from '../api/types';

export type QuietHours = NonNullable<PushPreferences['quiet_hours']>;

/** This device's offset from UTC in minutes, east positive (UTC+01:00 is 60). */
export function deviceOffset(date: Date = new Date()): number {
  // getTimezoneOffset is west positive, and -0 would read oddly.
  return -date.getTimezoneOffset() || 0;
}

/** "22:00" or "7:30" to minutes of the day; null when it is not a time of day. */
export function toMinutes(text: string): number | null {
  const m = /^\s*(\d{1,2}):(\d{2})\s*$/.exec(text);
  if (!m) return null;
  const [h, min] = [Number(m[1]), Number(m[2])];
  if (h > 23 || min > 59) return null;
  return h * 60 + min;
}

/** Minutes of the day to "HH:MM". */
export function toClock(minutes: number): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
}

/** "UTC+05:30", "UTC−03:00", "UTC". */
export function offsetLabel(offset: number): string {
  if (offset === 0) return 'UTC';
  const sign = offset > 0 ? '+' : '−';
  return `UTC${sign}${toClock(Math.abs(offset))}`;
}

/** Re-sends the quiet period with this device's offset when it changed (daylight saving, travel). */
export async function followDeviceOffset(offset: number = deviceOffset()): Promise<boolean> {
  const prefs = await getPushPreferences();
  const quiet = prefs.quiet_hours;
  if (!quiet || quiet.utc_offset_minutes === offset) return false;
  await setPushPreferences({ ...prefs, quiet_hours: { ...quiet, utc_offset_minutes: offset } });
  return true;
}
