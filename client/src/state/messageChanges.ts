import type { Id, Message, MessageChange, Reaction } from '../api/types';
import { emojiKey } from '../lib/emoji';

/**
 * A message with one change applied. Safe to apply again, and to a message that already shows
 * it (a resume replays the messages as they are now, then the changes since the position): an
 * edit sets the body, a deletion makes the tombstone, a reaction adds or removes the actor in
 * the emoji's set. Nothing revives a tombstone (a replayed edit of a deleted message has an
 * empty body).
 */
export function applyChange(m: Message, c: MessageChange): Message {
  if (m.deleted_at && c.kind !== 'deleted') return m;
  switch (c.kind) {
    case 'edited':
      return { ...m, body: c.body ?? m.body, edited_at: c.at };
    case 'deleted':
      return tombstone(m, c.at);
    case 'reaction_added':
    case 'reaction_removed':
      if (!c.emoji) return m;
      return withReaction(m, c.emoji, c.actor_id, c.kind === 'reaction_added');
  }
  return m;
}

/** What a deleted message keeps: its place (id, seq, sender, time), nothing it said. */
export function tombstone(m: Message, at: string): Message {
  const { reactions: _gone, ...rest } = m;
  return { ...rest, body: '', attachments: [], deleted_at: m.deleted_at ?? at };
}

/** Adds or removes one user in an emoji's set; an emptied set disappears, order is kept. */
export function withReaction(m: Message, emoji: string, userId: Id, add: boolean): Message {
  const list: Reaction[] = m.reactions ?? [];
  const i = list.findIndex((r) => emojiKey(r.emoji) === emojiKey(emoji));
  const had = i >= 0 && list[i].user_ids.includes(userId);
  if (had === add) return m; // already so: a repeat changes nothing
  let next: Reaction[];
  if (add) {
    next =
      i >= 0
        ? list.map((r, j) =>
            j === i ? { ...r, user_ids: [...r.user_ids, userId], count: r.count + 1 } : r,
          )
        : [...list, { emoji, count: 1, user_ids: [userId] }];
  } else {
    next = list
      .map((r, j) =>
        j === i
          ? { ...r, user_ids: r.user_ids.filter((u) => u !== userId), count: r.count - 1 }
          : r,
      )
      .filter((r) => r.user_ids.length > 0);
  }
  const { reactions: _old, ...rest } = m;
  return next.length ? { ...rest, reactions: next } : rest;
}
