import * as convApi from '../../api/conversations';
import type { Conversation, Id, Message, UnreadSummary } from '../../api/types';
import { api, call } from './api';

/** Messages per history page. */
export const PAGE = 50;

/**
 * Conversations and their history. The answers are merged into the `conversations` and
 * `messages` slices (see their `matchFulfilled` cases), where the socket's frames land too:
 * messages are one seq-ordered list per conversation whether they came by page or by frame, and
 * unread counts and read positions move with every frame. Screens read those slices; these
 * endpoints carry the requests (loading, errors, de-duplication, refetch on reconnect).
 */
export const conversationsApi = api.injectEndpoints({
  endpoints: (b) => ({
    getConversations: b.query<Conversation[], void>({
      queryFn: () => call(() => convApi.listConversations()),
      providesTags: ['Conversations'],
    }),
    /** The badges' counts; merged into the `unread` slice, where frames keep them live. */
    getUnread: b.query<UnreadSummary, void>({
      queryFn: () => call(() => convApi.getUnread()),
      providesTags: ['Unread'],
    }),
    getConversation: b.query<Conversation, Id>({
      queryFn: (id) => call(() => convApi.getConversation(id)),
    }),
    /**
     * The newest page: the `PAGE` messages below the conversation's current last seq (fresh
     * from the server), so it works whatever the server's default order for a bare query is.
     */
    getLatestMessages: b.query<{ conversation: Conversation; items: Message[] }, Id>({
      queryFn: (id) =>
        call(async () => {
          const conversation = await convApi.getConversation(id);
          const items = await convApi.listMessages(id, {
            before_seq: conversation.last_seq + 1,
            limit: PAGE,
          });
          return { conversation, items };
        }),
      keepUnusedDataFor: 0,
    }),
    getOlderMessages: b.query<Message[], { conversationId: Id; beforeSeq: number }>({
      queryFn: ({ conversationId, beforeSeq }) =>
        call(() => convApi.listMessages(conversationId, { before_seq: beforeSeq, limit: PAGE })),
      keepUnusedDataFor: 0,
    }),
  }),
});

export const {
  useGetConversationsQuery,
  useGetUnreadQuery,
  useGetLatestMessagesQuery,
  useLazyGetOlderMessagesQuery,
} = conversationsApi;

/** Loads a conversation again (members changed, or one we did not know yet); one at a time. */
export const refreshConversation = (id: Id) =>
  conversationsApi.endpoints.getConversation.initiate(id, { subscribe: false, forceRefetch: true });
