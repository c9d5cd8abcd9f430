import type { Id, User } from '../../api/types';

/** An `@name` being typed in a note: where it starts (the `@`) and ends, and the text after `@`. */
export interface MentionQuery {
  start: number;
  end: number;
  query: string;
}

/** Names are at most 64 characters; a longer run after `@` is not a name being typed. */
const MAX_QUERY = 64;

/**
 * The `@name` right before the caret, if any, by the server's rule (docs/protocol.md
 * "Mentions"): an `@` at the start of the draft or after a character that is not a letter or
 * digit (so `ana@example.com` is not one), then the name so far: spaces allowed (names have
 * them), no line break, no second `@`, not starting with a space.
 */
export function findMentionQuery(text: string, caret: number = text.length): MentionQuery | null {
  const end = Math.min(Math.max(caret, 0), text.length);
  const before = text.slice(0, end);
  const match = /(^|[^\p{L}\p{N}])@([^\n@]*)$/u.exec(before);
  if (!match) return null;
  const query = match[2];
  if (query.length > MAX_QUERY || /^\s/.test(query)) return null;
  return { start: end - query.length - 1, end, query };
}

/** The staff a query offers: agents and admins but me whose name starts with it, any case. */
export function filterStaff(users: readonly User[], query: string, myId: Id | null): User[] {
  const q = query.toLowerCase();
  return users
    .filter((u) => u.role !== 'customer' && !u.disabled && u.id !== myId)
    .filter((u) => u.display_name.toLowerCase().startsWith(q))
    .sort((a, b) => a.display_name.localeCompare(b.display_name));
}

/** The draft with the query replaced by `@Name ` and where the caret goes (after the space). */
export function insertMention(
  text: string,
  at: MentionQuery,
  name: string,
): { text: string; caret: number } {
  const inserted = `@${name} `;
  return {
    text: text.slice(0, at.start) + inserted + text.slice(at.end),
    caret: at.start + inserted.length,
  };
}
