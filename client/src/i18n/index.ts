import { en, type StringKey } from './en';

export type { StringKey };

const dictionaries = { en } as const;
let current: keyof typeof dictionaries = 'en';

export function setLocale(locale: keyof typeof dictionaries): void {
  current = locale;
}

/** Looks up a string and fills `{name}` placeholders. */
export function t(key: StringKey, params?: Record<string, string | number>): string {
  const template: string = dictionaries[current][key] ?? key;
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (m, name: string) =>
    params[name] !== undefined ? String(params[name]) : m,
  );
}

/** Short local date-time for message and SLA times. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const sameDay = d.toDateString() === new Date().toDateString();
  const hm = d.toLocaleTimeString('en', { hour: '2-digit', minute: '2-digit' });
  return sameDay ? hm : `${d.toLocaleDateString('en', { month: 'short', day: 'numeric' })} ${hm}`;
}
