import * as convApi from '../../api/conversations';
import type { Id, Message, MessageVersion } from '../../api/types';
import { messageReplaced } from '../messages';
import { api, call } from './api';

/**
 * Changing a stored message: edit, delete, react. Each answers with the message as it is now,
 * which replaces the copy in the `messages` slice at once (the change's frame, which reaches our
 * other connections, arrives too and changes nothing more).
 */
export const messagesApiSlice = api.injectEndpoints({
  endpoints: (b) => ({
    editMessage: b.mutation<Message, { id: Id; body: string }>({
      queryFn: ({ id, body }) => call(() => convApi.editMessage(id, body)),
      onQueryStarted: (_arg, { dispatch, queryFulfilled }) =>
        replaceWhenDone(dispatch, queryFulfilled),
    }),
    deleteMessage: b.mutation<Message, Id>({
      queryFn: (id) => call(() => convApi.deleteMessage(id)),
      onQueryStarted: (_arg, { dispatch, queryFulfilled }) =>
        replaceWhenDone(dispatch, queryFulfilled),
    }),
    setReaction: b.mutation<Message, { id: Id; emoji: string; add: boolean }>({
      queryFn: ({ id, emoji, add }) => call(() => convApi.setReaction(id, emoji, add)),
      onQueryStarted: (_arg, { dispatch, queryFulfilled }) =>
        replaceWhenDone(dispatch, queryFulfilled),
    }),
    /** Staff: an edited message's earlier texts (never cached: a new edit may come any time). */
    getMessageVersions: b.query<MessageVersion[], Id>({
      queryFn: (id) => call(() => convApi.listMessageVersions(id)),
      keepUnusedDataFor: 0,
    }),
  }),
});

async function replaceWhenDone(
  dispatch: (a: ReturnType<typeof messageReplaced>) => unknown,
  done: Promise<{ data: Message }>,
) {
  try {
    dispatch(messageReplaced((await done).data));
  } catch {
    // Refused: the caller shows the error; nothing changed.
  }
}

export const {
  useEditMessageMutation,
  useDeleteMessageMutation,
  useSetReactionMutation,
  useGetMessageVersionsQuery,
} = messagesApiSlice;
