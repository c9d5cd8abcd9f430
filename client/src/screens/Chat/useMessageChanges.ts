import { useCallback, useState } from 'react';

import { failureText, type ApiFailure } from '../../api/client';
import type { Id, Message } from '../../api/types';
import {
  useDeleteMessageMutation,
  useEditMessageMutation,
  useSetReactionMutation,
} from '../../state/queries/messages';

/**
 * The conversation screen's message actions: which message's menu is open, which one is being
 * edited or answered, and the requests. Messages are looked up by id in what the store holds, so
 * a live edit or deletion by someone else shows in the menu and the composer bars at once (and
 * a message deleted meanwhile closes them).
 */
export function useMessageChanges(items: Message[]) {
  const [actionsId, setActionsId] = useState<Id | null>(null);
  // When the menu opened: the 15-minute edit window is judged then.
  const [openedAt, setOpenedAt] = useState(0);
  const [editingId, setEditingId] = useState<Id | null>(null);
  const [replyId, setReplyId] = useState<Id | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [editMessage, edit] = useEditMessageMutation();
  const [deleteMessage, del] = useDeleteMessageMutation();
  const [setReaction, reaction] = useSetReactionMutation();
  const find = (id: Id | null) =>
    id == null ? null : (items.find((m) => m.id === id && !m.deleted_at) ?? null);

  const close = useCallback(() => {
    setActionsId(null);
    setError(null);
  }, []);
  const cancelContext = useCallback(() => {
    setEditingId(null);
    setReplyId(null);
    setError(null);
  }, []);
  const fail = (e: unknown) => setError(failureText(e as ApiFailure));

  return {
    actionsFor: find(actionsId),
    editing: find(editingId),
    replyingTo: find(replyId),
    busy: edit.isLoading || del.isLoading || reaction.isLoading,
    error,
    openedAt,
    open(id: Id) {
      setError(null);
      setOpenedAt(Date.now());
      setActionsId(id);
    },
    close,
    cancelContext,
    reply(id: Id) {
      setEditingId(null);
      setReplyId(id);
      close();
    },
    edit(id: Id) {
      setReplyId(null);
      setEditingId(id);
      close();
    },
    async saveEdit(body: string) {
      if (editingId == null) return;
      setError(null);
      try {
        await editMessage({ id: editingId, body }).unwrap();
        setEditingId(null);
      } catch (e) {
        fail(e);
      }
    },
    async remove(m: Message) {
      setError(null);
      try {
        await deleteMessage(m.id).unwrap();
        close();
        if (editingId === m.id || replyId === m.id) cancelContext();
      } catch (e) {
        fail(e);
      }
    },
    /** From a chip (the menu stays as it is) or the menu (`fromMenu`: it closes when done). */
    async react(m: Message, emoji: string, add: boolean, fromMenu = false) {
      setError(null);
      try {
        await setReaction({ id: m.id, emoji, add }).unwrap();
        if (fromMenu) close();
      } catch (e) {
        fail(e);
      }
    },
  };
}
