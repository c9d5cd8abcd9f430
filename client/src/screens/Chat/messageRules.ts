import type { Conversation, Message, Role } from '../../api/types';

/** How long the author may edit a message (admins any time), as the server enforces. */
export const EDIT_WINDOW_MS = 15 * 60 * 1000;

/** The emoji offered in the actions menu (any emoji is accepted; this is the short list). */
export const QUICK_REACTIONS = ['👍', '❤️', '😂', '🎉', '😮', '😢', '🙏'];

export interface MessageAbilities {
  reply: boolean;
  react: boolean;
  edit: boolean;
  delete: boolean;
  history: boolean;
}

/**
 * What the user may do with a message, mirroring the server's rules (docs/protocol.md) so the
 * menu offers only what will be accepted: edit your own within 15 minutes (admins always);
 * delete your own, or as staff any message of a ticket; staff read an edited message's history.
 */
export function abilities(
  m: Message,
  me: { id: number; role: Role } | null,
  conv: Pick<Conversation, 'kind'> | undefined,
  now: number,
): MessageAbilities {
  const none = { reply: false, react: false, edit: false, delete: false, history: false };
  if (!me || m.kind === 'system' || m.deleted_at) return none;
  const mine = m.sender_id === me.id;
  const staff = me.role === 'agent' || me.role === 'admin';
  const fresh = now - Date.parse(m.created_at) < EDIT_WINDOW_MS;
  return {
    reply: true,
    react: true,
    edit: mine && (fresh || me.role === 'admin'),
    delete: mine || (staff && conv?.kind === 'ticket'),
    history: staff && !!m.edited_at,
  };
}
