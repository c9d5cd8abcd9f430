import type { CannedResponse } from '../../api/types';

/** A `/query` being typed in the composer: where it starts and ends, and the text after `/`. */
export interface SlashQuery {
  start: number;
  end: number;
  query: string;
}

/**
 * The `/query` right before the caret, if any: a `/` at the start of the draft or after
 * whitespace, followed by no whitespace. So `/ref` and `thanks /ref` open the picker, while
 * `and/or` and `https://…` do not.
 */
export function findSlashQuery(text: string, caret: number = text.length): SlashQuery | null {
  const end = Math.min(Math.max(caret, 0), text.length);
  const before = text.slice(0, end);
  const match = /(^|\s)\/(\S*)$/.exec(before);
  if (!match) return null;
  const query = match[2];
  return { start: end - query.length - 1, end, query };
}

/**
 * The responses a query offers, best first: shortcuts that start with it (by shortcut), then
 * titles that contain it (by title). Case does not matter; an empty query offers them all.
 */
export function filterCanned(items: readonly CannedResponse[], query: string): CannedResponse[] {
  const q = query.toLowerCase();
  const byShortcut = items
    .filter((c) => c.shortcut.toLowerCase().startsWith(q))
    .sort((a, b) => a.shortcut.localeCompare(b.shortcut));
  const taken = new Set(byShortcut.map((c) => c.id));
  const byTitle = items
    .filter((c) => !taken.has(c.id) && c.title.toLowerCase().includes(q))
    .sort((a, b) => a.title.localeCompare(b.title));
  return [...byShortcut, ...byTitle];
}

/** The draft with `slash` replaced by `body`, and where the caret goes (right after it). */
export function insertAt(
  text: string,
  slash: SlashQuery,
  body: string,
): { text: string; caret: number } {
  return {
    text: text.slice(0, slash.start) + body + text.slice(slash.end),
    caret: slash.start + body.length,
  };
}
