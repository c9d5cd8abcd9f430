import { createSlice, type PayloadAction } from '@reduxjs/toolkit';

import type { Conversation, Id } from '../api/types';
import { signedOut } from './auth';
import { changeReceived, messageReceived, messageReplaced } from './messages';
import { applyChange } from './messageChanges';
import { conversationsApi } from './queries/conversations';

export const TYPING_TTL_MS = 5000;

export interface ConversationsState {
  byId: Record<string, Conversation>;
  loaded: boolean;
  /** The conversation on screen: its messages don't count as unread. */
  activeId: Id | null;
  /** conversation id → user id → epoch ms when the typing indicator expires. */
  typing: Record<string, Record<string, number>>;
}

const initialState: ConversationsState = { byId: {}, loaded: false, activeId: null, typing: {} };

const slice = createSlice({
  name: 'conversations',
  initialState,
  reducers: {
    conversationUpserted(state, action: PayloadAction<Conversation>) {
      state.byId[String(action.payload.id)] = action.payload;
    },
    activeConversationChanged(state, action: PayloadAction<Id | null>) {
      state.activeId = action.payload;
    },
    typingReceived(state, action: PayloadAction<{ conversationId: Id; userId: Id; now: number }>) {
      const { conversationId, userId, now } = action.payload;
      const key = String(conversationId);
      state.typing[key] = { ...(state.typing[key] ?? {}), [String(userId)]: now + TYPING_TTL_MS };
    },
    typingExpired(state, action: PayloadAction<{ now: number }>) {
      for (const [cid, users] of Object.entries(state.typing)) {
        for (const [uid, until] of Object.entries(users))
          if (until <= action.payload.now) delete users[uid];
        if (Object.keys(users).length === 0) delete state.typing[cid];
      }
    },
    /** Someone's read position moved (a `read` frame, or our own read). Never moves backwards. */
    readReceived(
      state,
      action: PayloadAction<{ conversationId: Id; userId: Id; seq: number; mine: boolean }>,
    ) {
      const { conversationId, userId, seq, mine } = action.payload;
      const c = state.byId[String(conversationId)];
      if (!c) return;
      const member = c.members.find((m) => m.user_id === userId);
      if (member && seq > member.last_read_seq) member.last_read_seq = seq;
      if (mine && seq > c.last_read_seq) {
        c.last_read_seq = seq;
        c.unread_count = Math.max(0, c.last_seq - seq);
      }
    },
  },
  extraReducers: (b) => {
    b.addCase(messageReceived, (state, action) => {
      const { message: m, mine } = action.payload;
      // The sender stopped typing once the message arrived.
      delete state.typing[String(m.conversation_id)]?.[String(m.sender_id)];
      const c = state.byId[String(m.conversation_id)];
      if (!c) return;
      if (m.seq > c.last_seq) {
        c.last_seq = m.seq;
        c.last_message = m;
        if (mine) {
          // Writing implies having read everything before.
          c.last_read_seq = Math.max(c.last_read_seq, m.seq);
          c.unread_count = Math.max(0, c.last_seq - c.last_read_seq);
        } else if (state.activeId !== m.conversation_id) {
          c.unread_count = Math.max(0, c.last_seq - c.last_read_seq);
        }
      }
    });
    // The list's preview follows an edit or deletion of the last message.
    b.addCase(changeReceived, (state, action) => {
      const c = state.byId[String(action.payload.conversation_id)];
      if (c?.last_message?.id === action.payload.message_id) {
        c.last_message = applyChange(c.last_message, action.payload);
      }
    });
    b.addCase(messageReplaced, (state, action) => {
      const c = state.byId[String(action.payload.conversation_id)];
      if (c?.last_message?.id === action.payload.id) c.last_message = action.payload;
    });
    b.addCase(signedOut, () => initialState);
    b.addMatcher(conversationsApi.endpoints.getConversations.matchFulfilled, (state, action) => {
      const next: Record<string, Conversation> = {};
      for (const c of action.payload) next[String(c.id)] = c;
      state.byId = next;
      state.loaded = true;
    });
    b.addMatcher(conversationsApi.endpoints.getConversation.matchFulfilled, (state, action) => {
      state.byId[String(action.payload.id)] = action.payload;
    });
    b.addMatcher(conversationsApi.endpoints.getLatestMessages.matchFulfilled, (state, action) => {
      state.byId[String(action.payload.conversation.id)] = action.payload.conversation;
    });
  },
});

export const {
  conversationUpserted,
  activeConversationChanged,
  typingReceived,
  typingExpired,
  readReceived,
} = slice.actions;
export default slice.reducer;

/** Conversations sorted by most recent activity. */
export function sortedConversations(state: ConversationsState, kind?: 'ticket' | 'direct') {
  return Object.values(state.byId)
    .filter((c) => !kind || c.kind === kind)
    .sort((a, b) => {
      const ta = a.last_message?.created_at ?? '';
      const tb = b.last_message?.created_at ?? '';
      return tb.localeCompare(ta) || b.id - a.id;
    });
}
