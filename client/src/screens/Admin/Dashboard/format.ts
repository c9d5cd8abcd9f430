/** How the dashboard writes its figures. */

/** A duration in ms as "40s", "45m", "3h 20m" or "2d 4h"; an em dash for none. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms == null) return '—';
  if (ms < 60000) return `${Math.round(ms / 1000)}s`;
  const minutes = Math.round(ms / 60000);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${hours}h ${minutes % 60}m` : `${hours}h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days}d ${hours % 24}h` : `${days}d`;
}

/** A 0..1 share as a whole percentage; an em dash for none. */
export function formatRate(rate: number | null | undefined): string {
  return rate == null ? '—' : `${Math.round(rate * 100)}%`;
}

/** An average score as "4.33"; an em dash for none. */
export function formatScore(avg: number | null | undefined): string {
  return avg == null ? '—' : avg.toFixed(2);
}

/** `YYYY-MM-DD` of a date in UTC. */
export function utcDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** The window of `days` whole UTC days ending on `today`. */
export function windowOf(days: number, today: Date = new Date()): { from: string; to: string } {
  const start = new Date(today.getTime() - (days - 1) * 86_400_000);
  return { from: utcDay(start), to: utcDay(today) };
}

/** "2026-03-01" → "3/1", short enough for a chart's axis. */
export function shortDay(date: string): string {
  const [, m, d] = date.split('-');
  return `${Number(m)}/${Number(d)}`;
}
