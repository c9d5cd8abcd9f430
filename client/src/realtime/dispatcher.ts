import type { CallFrame, Id, Message, ServerFrame } from '../api/types';
import { isStaffRole, roleChanged } from '../state/auth';
import { readReceived, typingReceived } from '../state/conversations';
import { hereReceived } from '../state/here';
import { changeReceived, changesResumed, messageReceived } from '../state/messages';
import { presenceChanged } from '../state/presence';
import { refreshConversation as refetchConversation } from '../state/queries/conversations';
import { notificationReceived } from '../state/queries/notifications';
import { contactUpserted, friendRequestReceived } from '../state/queries/people';
import { ticketReceived } from '../state/queries/tickets';
import { unreadCounted, unreadMessage } from '../state/unread';
import type { AppDispatch, RootState } from '../state/store';

export interface DispatchContext {
  dispatch: AppDispatch;
  getState: () => RootState;
  outbox: {
    ack(clientId: string): boolean;
    fail(clientId: string, code: string, message?: string): void;
  };
  /** Our role or teams changed (after the store has the new role). */
  onAccountUpdated?: (change: { roleChanged: boolean; wasStaff: boolean }) => void;
  /**
   * The unread counts may have changed in a way frames don't tell (a ticket moved into or out
   * of our set, a conversation we don't count yet): fetch them again, debounced.
   */
  refreshUnread?: () => void;
  /** Someone new arrived on a conversation: tell them we are here too. */
  onHereNewcomer?: (conversationId: Id) => void;
  /** A call's frame, for the call engine (`calls/engine.ts`). */
  onCall?: (frame: CallFrame) => void;
  now?: () => number;
}

/** The one place where server frames are routed to the state slices. */
export function handleServerFrame(frame: ServerFrame, ctx: DispatchContext): void {
  const { dispatch, getState } = ctx;
  const myId = getState().auth.user?.id ?? null;
  switch (frame.type) {
    case 'ready':
    case 'pong':
      // Handled by the socket itself.
      return;
    case 'ack': {
      ctx.outbox.ack(frame.client_id);
      receiveMessage(frame.message, ctx, myId);
      return;
    }
    case 'message': {
      const m = frame.message;
      // Our own message from another connection or a replay: it is stored, stop resending it.
      if (m.sender_id === myId && m.client_id) ctx.outbox.ack(m.client_id);
      receiveMessage(m, ctx, myId);
      return;
    }
    case 'resumed':
      // Replay for this conversation is complete; the changes' position moves to where it ended.
      if (frame.last_change != null) {
        dispatch(
          changesResumed({ conversationId: frame.conversation_id, lastChange: frame.last_change }),
        );
      }
      return;
    case 'message_updated':
    case 'message_deleted':
    case 'reaction':
      dispatch(changeReceived(frame.change));
      return;
    case 'here': {
      if (frame.user_id === myId) return;
      const known =
        getState().here.byConversation[String(frame.conversation_id)]?.[String(frame.user_id)];
      dispatch(
        hereReceived({
          conversationId: frame.conversation_id,
          userId: frame.user_id,
          name: frame.display_name,
          activity: frame.activity,
          now: (ctx.now ?? Date.now)(),
        }),
      );
      if (!known && frame.activity !== 'left') ctx.onHereNewcomer?.(frame.conversation_id);
      return;
    }
    case 'typing':
      if (frame.user_id === myId) return;
      ensureMember(frame.conversation_id, frame.user_id, ctx);
      dispatch(
        typingReceived({
          conversationId: frame.conversation_id,
          userId: frame.user_id,
          now: (ctx.now ?? Date.now)(),
        }),
      );
      return;
    case 'read':
      dispatch(
        readReceived({
          conversationId: frame.conversation_id,
          userId: frame.user_id,
          seq: frame.seq,
          mine: frame.user_id === myId,
        }),
      );
      return;
    case 'unread': {
      const known = !!getState().unread.byId[String(frame.conversation_id)];
      if (!known) ctx.refreshUnread?.();
      dispatch(
        unreadCounted({
          conversationId: frame.conversation_id,
          lastSeq: frame.last_seq,
          unreadCount: frame.unread_count,
        }),
      );
      return;
    }
    case 'presence':
      dispatch(presenceChanged({ userId: frame.user_id, online: frame.online }));
      return;
    case 'error':
      if (frame.client_id) ctx.outbox.fail(frame.client_id, frame.code, frame.message);
      else console.warn('realtime error', frame.code, frame.message);
      return;
    case 'ticket':
      dispatch(ticketReceived({ ticket: frame.ticket, myId }));
      // Assigned to us, moved to or from our team, closed: the badge set may have changed.
      ctx.refreshUnread?.();
      // Assignment and team changes change who is in the ticket's conversation: refresh it.
      refreshConversation(frame.ticket.conversation_id, ctx);
      return;
    case 'notification':
      dispatch(notificationReceived(frame.notification));
      return;
    case 'friend_request':
      if (myId != null) dispatch(friendRequestReceived({ request: frame.request, myId }));
      return;
    case 'contact':
      dispatch(contactUpserted(frame.contact));
      dispatch(presenceChanged({ userId: frame.contact.user.id, online: frame.contact.online }));
      return;
    case 'account_updated': {
      const before = getState().auth.user?.role;
      dispatch(roleChanged(frame.role));
      ctx.onAccountUpdated?.({ roleChanged: before !== frame.role, wasStaff: isStaffRole(before) });
      return;
    }
    case 'call_ringing':
    case 'call_incoming':
    case 'call_accepted':
    case 'call_busy':
    case 'call_ended':
    case 'call_signal':
      ctx.onCall?.(frame);
      return;
    default: {
      // A newer server may send frames this app doesn't know yet.
      const unknown: { type?: string } = frame;
      console.warn('realtime: unknown frame', unknown.type);
    }
  }
}

/**
 * Stores a message from `ack`, `message` or a replay. Seq gaps are the server's to fill (it replays
 * what a connection missed; customers skip internal notes' seqs by design), and a first reply's
 * ticket change arrives as its own `ticket` frame.
 */
function receiveMessage(m: Message, ctx: DispatchContext, myId: Id | null) {
  const cid = m.conversation_id;
  const state = ctx.getState();
  const known = !!state.conversations.byId[String(cid)];
  const mine = m.sender_id === myId;
  ctx.dispatch(messageReceived({ message: m, mine }));
  // Not counted (yet): a new chat, a ticket just assigned, or counts still on their way (a
  // count taken before this message committed would miss it).
  if (!state.unread.byId[String(cid)]) ctx.refreshUnread?.();
  const open = state.conversations.activeId === cid;
  ctx.dispatch(unreadMessage({ conversationId: cid, seq: m.seq, mine, open }));
  if (!known) refreshConversation(cid, ctx);
  else ensureMember(cid, m.sender_id, ctx);
}

/** Refetches a conversation (one request at a time: frames come in bursts). */
function refreshConversation(cid: Id, ctx: DispatchContext) {
  void ctx.dispatch(refetchConversation(cid));
}

/** Someone we don't know yet spoke in a conversation (e.g. the agent who just took a ticket). */
function ensureMember(cid: Id, userId: Id, ctx: DispatchContext) {
  const c = ctx.getState().conversations.byId[String(cid)];
  if (c && !c.members.some((mb) => mb.user_id === userId)) refreshConversation(cid, ctx);
}
