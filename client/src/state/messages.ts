import { createSlice, type PayloadAction } from '@reduxjs/toolkit';

import type { FileInfo, Id, Message, MessageChange } from '../api/types';
import { signedOut } from './auth';
import { applyChange } from './messageChanges';
import { conversationsApi, PAGE } from './queries/conversations';

/** A message the user wrote that the server has not acknowledged yet. */
export interface OutboxItem {
  client_id: string;
  conversation_id: Id;
  body: string;
  kind: 'text' | 'note';
  attachment_ids: Id[];
  /** For showing the pending message; not sent. */
  attachments: FileInfo[];
  /** The message this one answers (its id). */
  reply_to?: Id;
  created_at: string;
  state: 'pending' | 'failed';
  attempts: number;
  last_sent_at: number | null;
  /** The error code that stopped it (`timeout` when the server never answered). */
  error?: string;
  /** The server's own words for a refusal, shown to the user. */
  error_message?: string;
}

export interface ConversationMessages {
  /** Sorted by seq, unique by seq. */
  items: Message[];
  /** Whether messages below the first loaded one may exist. */
  hasOlder: boolean;
  /** Whether the latest page was loaded over REST (otherwise we only hold live frames). */
  loaded: boolean;
}

export interface MessagesState {
  byConversation: Record<string, ConversationMessages>;
  /**
   * The last `change_seq` (edits, deletions, reactions) applied per conversation: what a resume
   * continues from. Absent until a change frame or a `resumed.last_change` tells us.
   */
  lastChange: Record<string, number>;
  outbox: OutboxItem[];
}

const initialState: MessagesState = { byConversation: {}, lastChange: {}, outbox: [] };

function entry(state: MessagesState, cid: Id): ConversationMessages {
  const key = String(cid);
  if (!state.byConversation[key]) {
    state.byConversation[key] = { items: [], hasOlder: true, loaded: false };
  }
  return state.byConversation[key];
}

/** Merges messages into a seq-sorted list, keeping one message per seq (the newest copy wins). */
export function mergeBySeq(existing: Message[], incoming: Message[]): Message[] {
  if (incoming.length === 0) return existing;
  const bySeq = new Map<number, Message>();
  for (const m of existing) bySeq.set(m.seq, m);
  for (const m of incoming) bySeq.set(m.seq, m);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

const slice = createSlice({
  name: 'messages',
  initialState,
  reducers: {
    /** A message from `ack`, `message`, a resume replay or REST. Idempotent per (conversation, seq). */
    messageReceived(state, action: PayloadAction<{ message: Message; mine: boolean }>) {
      const m = action.payload.message;
      const e = entry(state, m.conversation_id);
      const last = e.items[e.items.length - 1];
      if (!last || m.seq > last.seq) e.items.push(m);
      else e.items = mergeBySeq(e.items, [m]);
    },
    messagesLoaded(
      state,
      action: PayloadAction<{
        conversationId: Id;
        items: Message[];
        page: 'latest' | 'older' | 'newer';
        limit: number;
      }>,
    ) {
      const { conversationId, items, page, limit } = action.payload;
      const e = entry(state, conversationId);
      // Cached history older than this page with messages missing in between: the page wins
      // (older pages load from its first message), so no hole is ever shown as continuous.
      const held = e.items[e.items.length - 1]?.seq ?? 0;
      if (page === 'latest' && !e.loaded && items.length && items[0].seq > held + 1) e.items = [];
      e.items = mergeBySeq(e.items, items);
      if (page === 'latest') {
        e.loaded = true;
        e.hasOlder = items.length >= limit && (items[0]?.seq ?? 1) > 1;
      } else if (page === 'older') {
        e.hasOlder = items.length >= limit && (items[0]?.seq ?? 1) > 1;
      }
      if (e.items.length > 0 && e.items[0].seq === 1) e.hasOlder = false;
    },
    /** History kept on the device from an earlier run: shown until the server's arrives. */
    messagesCached(state, action: PayloadAction<Record<string, Message[]>>) {
      for (const [cid, items] of Object.entries(action.payload)) {
        const e = entry(state, Number(cid));
        if (e.loaded || !Array.isArray(items)) continue;
        e.items = mergeBySeq(e.items, items);
      }
    },
    /**
     * A `message_updated`, `message_deleted` or `reaction` frame, live or replayed. A message we
     * don't hold is left alone (it is fetched as it is now); the position moves either way.
     */
    changeReceived(state, action: PayloadAction<MessageChange>) {
      const c = action.payload;
      const key = String(c.conversation_id);
      state.lastChange[key] = Math.max(state.lastChange[key] ?? 0, c.change_seq);
      const e = state.byConversation[key];
      const i = e ? e.items.findIndex((m) => m.id === c.message_id) : -1;
      if (e && i >= 0) e.items[i] = applyChange(e.items[i], c);
    },
    /** `resumed` with `last_change`: every change up to it has been replayed. */
    changesResumed(state, action: PayloadAction<{ conversationId: Id; lastChange: number }>) {
      const key = String(action.payload.conversationId);
      state.lastChange[key] = Math.max(state.lastChange[key] ?? 0, action.payload.lastChange);
    },
    /** The server's answer to our own edit, deletion or reaction: replaces the copy we hold. */
    messageReplaced(state, action: PayloadAction<Message>) {
      const m = action.payload;
      const e = state.byConversation[String(m.conversation_id)];
      const i = e ? e.items.findIndex((x) => x.id === m.id) : -1;
      if (e && i >= 0) e.items[i] = m;
    },
    /** Change positions kept on the device with the cached messages (see messageCache.ts). */
    changesCached(state, action: PayloadAction<Record<string, number>>) {
      for (const [cid, n] of Object.entries(action.payload)) {
        state.lastChange[cid] = Math.max(state.lastChange[cid] ?? 0, n);
      }
    },
    outboxChanged(state, action: PayloadAction<OutboxItem[]>) {
      state.outbox = action.payload;
    },
  },
  extraReducers: (b) => {
    b.addCase(signedOut, () => initialState);
    b.addMatcher(conversationsApi.endpoints.getLatestMessages.matchFulfilled, (state, action) => {
      const { conversation, items } = action.payload;
      slice.caseReducers.messagesLoaded(
        state,
        slice.actions.messagesLoaded({
          conversationId: conversation.id,
          items,
          page: 'latest',
          limit: PAGE,
        }),
      );
    });
    b.addMatcher(conversationsApi.endpoints.getOlderMessages.matchFulfilled, (state, action) => {
      const { conversationId } = action.meta.arg.originalArgs;
      slice.caseReducers.messagesLoaded(
        state,
        slice.actions.messagesLoaded({
          conversationId,
          items: action.payload,
          page: 'older',
          limit: PAGE,
        }),
      );
    });
  },
});

export const {
  changeReceived,
  changesCached,
  changesResumed,
  messageReceived,
  messageReplaced,
  messagesCached,
  messagesLoaded,
  outboxChanged,
} = slice.actions;
export default slice.reducer;

export function lastSeqOf(state: MessagesState, cid: Id): number {
  const items = state.byConversation[String(cid)]?.items;
  return items && items.length ? items[items.length - 1].seq : 0;
}

/** A message held for a conversation, by id (for quotes and the jump to the original). */
export function findMessage(state: MessagesState, cid: Id, id: Id): Message | undefined {
  return state.byConversation[String(cid)]?.items.find((m) => m.id === id);
}
