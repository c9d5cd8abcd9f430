import { createSlice, type PayloadAction } from '@reduxjs/toolkit';

import type { Id } from '../api/types';
import { signedOut } from './auth';
import { readReceived } from './conversations';
import { conversationsApi } from './queries/conversations';

/**
 * Unread counts for the badges: every conversation that counts for the user (the server's rule,
 * docs/protocol.md "Unread counts": direct chats, and the tickets they take part in), from
 * `GET /conversations/unread`, then kept live by frames:
 *
 * - a message from someone else above `lastSeq` adds one, unless its conversation is open;
 *   our own message means we read everything (the server moved our position to it);
 * - an `unread` frame (our position moved, on any device) gives the exact count up to its
 *   `last_seq`; messages above that seq which arrived meanwhile (`live`) are added back.
 *
 * `live` is what makes both orders of "message frame" and "count" come out right without
 * asking the server again: the seqs counted here since the server last counted.
 */
export interface UnreadEntry {
  kind: 'ticket' | 'direct';
  ticketId?: Id;
  count: number;
  /** The highest seq counted (by the server or here): a message at or below it is known. */
  lastSeq: number;
  /** Seqs above the server's last count that were added here, ascending. */
  live: number[];
}

export interface UnreadState {
  byId: Record<string, UnreadEntry>;
  loaded: boolean;
}

/** More live seqs than this and the oldest are forgotten (the server recounts on reconnect). */
const LIVE_MAX = 500;

const initialState: UnreadState = { byId: {}, loaded: false };

/** The count the server gave up to `serverSeq`, plus what arrived here above it. */
function recount(entry: UnreadEntry, serverCount: number, serverSeq: number) {
  entry.live = entry.live.filter((s) => s > serverSeq);
  entry.count = serverCount + entry.live.length;
  entry.lastSeq = Math.max(entry.lastSeq, serverSeq);
}

const slice = createSlice({
  name: 'unread',
  initialState,
  reducers: {
    /**
     * A message arrived (`ack`, `message` or replay). `open`: its conversation is on screen
     * (the screen marks it read). A conversation that doesn't count is ignored here; the
     * dispatcher asks the server whether it counts now.
     */
    unreadMessage(
      state,
      action: PayloadAction<{ conversationId: Id; seq: number; mine: boolean; open: boolean }>,
    ) {
      const { conversationId, seq, mine, open } = action.payload;
      const e = state.byId[String(conversationId)];
      if (!e || seq <= e.lastSeq) return;
      e.lastSeq = seq;
      if (mine) {
        e.count = 0;
        e.live = [];
      } else if (!open) {
        e.count += 1;
        e.live.push(seq);
        if (e.live.length > LIVE_MAX) e.live.shift();
      }
    },
    /** An `unread` frame: our read position moved, here or on another device. */
    unreadCounted(
      state,
      action: PayloadAction<{ conversationId: Id; lastSeq: number; unreadCount: number }>,
    ) {
      const { conversationId, lastSeq, unreadCount } = action.payload;
      const e = state.byId[String(conversationId)];
      if (e) recount(e, unreadCount, lastSeq);
    },
  },
  extraReducers: (b) => {
    b.addCase(signedOut, () => initialState);
    // Our own read on this device: everything up to `seq` is read at once (the server's
    // `unread` frame follows with the exact count).
    b.addCase(readReceived, (state, action) => {
      const { conversationId, seq, mine } = action.payload;
      const e = state.byId[String(conversationId)];
      if (!mine || !e) return;
      if (seq >= e.lastSeq) {
        e.count = 0;
        e.live = [];
        return;
      }
      // Part of it: what arrived here up to `seq` is read; older counts wait for the frame.
      const left = e.live.filter((s) => s > seq);
      e.count = Math.max(0, e.count - (e.live.length - left.length));
      e.live = left;
    });
    b.addMatcher(conversationsApi.endpoints.getUnread.matchFulfilled, (state, action) => {
      const next: Record<string, UnreadEntry> = {};
      for (const item of action.payload.items) {
        const key = String(item.conversation_id);
        const entry: UnreadEntry = state.byId[key] ?? {
          kind: item.kind,
          count: 0,
          lastSeq: 0,
          live: [],
        };
        entry.kind = item.kind;
        entry.ticketId = item.ticket_id ?? undefined;
        recount(entry, item.unread_count, item.last_seq);
        next[key] = entry;
      }
      state.byId = next;
      state.loaded = true;
    });
  },
});

export const { unreadMessage, unreadCounted } = slice.actions;
export default slice.reducer;

/**
 * A conversation's badge in a list: its live count when it counts for the badges; otherwise
 * (a queue ticket we opened once, or before the counts have loaded) what the conversation
 * itself said.
 */
export function unreadIn(
  state: UnreadState,
  conversationId: Id,
  conversation?: { unread_count: number },
): number {
  return state.byId[String(conversationId)]?.count ?? conversation?.unread_count ?? 0;
}

/** The tab bar's badges. */
export function unreadTotals(state: UnreadState): {
  tickets: number;
  direct: number;
  total: number;
} {
  let tickets = 0;
  let direct = 0;
  for (const e of Object.values(state.byId)) {
    if (e.kind === 'ticket') tickets += e.count;
    else direct += e.count;
  }
  return { tickets, direct, total: tickets + direct };
}
