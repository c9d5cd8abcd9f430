import * as convApi from '../src/api/conversations';
import type { Message } from '../src/api/types';
import { ConversationView } from '../src/screens/Chat/ConversationView';
import { abilities, EDIT_WINDOW_MS } from '../src/screens/Chat/messageRules';
import { signedIn } from '../src/state/auth';
import { conversationUpserted } from '../src/state/conversations';
import { makeStore } from '../src/state/store';
import { agent, conversation, me, message } from './helpers/fixtures';
import { renderWithApp } from './helpers/render';
import {
  act,
  findTestId,
  openMessageActions,
  press,
  queryTestId,
  textOf,
  typeInto,
  valueOf,
  waitFor,
} from './helpers/ui';

jest.mock('../src/api/conversations');
const mocked = convApi as jest.Mocked<typeof convApi>;

const now = new Date().toISOString();
const history: Message[] = [
  message(1, { edited_at: now }),
  message(2, { sender_id: 1, body: '', deleted_at: now }),
  message(3, { sender_id: 1, body: 'my answer', created_at: now, reply_to: { id: 1001, seq: 1 } }),
  message(4, { body: 'about the deleted one', reply_to: { id: 1002, seq: 2 } }),
  message(5, { body: 'about something old', reply_to: { id: 900, seq: 0 } }),
];

async function open() {
  const store = makeStore();
  store.dispatch(signedIn(me));
  store.dispatch(conversationUpserted(conversation({ last_seq: 5 })));
  mocked.getConversation.mockResolvedValue(conversation({ last_seq: 5 }));
  mocked.listMessages.mockResolvedValue(history);
  const r = await renderWithApp(<ConversationView conversationId={7} allowNotes={false} />, {
    store,
  });
  await findTestId('message-5');
  return r;
}

describe('message changes on the conversation screen', () => {
  it('shows tombstones, the edited mark and quotes (shown, deleted, not loaded)', async () => {
    await open();
    expect(textOf('message-1')).toContain('(edited)');
    expect(textOf('message-2-deleted')).toBe('Message deleted');
    expect(queryTestId('message-2-edited')).toBeNull();
    expect(textOf('message-3-quote')).toContain('Ana Agent');
    expect(textOf('message-3-quote')).toContain('message 1');
    expect(textOf('message-4-quote')).toContain('Deleted message');
    expect(textOf('message-5-quote')).toContain('Earlier message');
  });

  it('edits my message in the composer and shows the server’s answer', async () => {
    await open();
    await openMessageActions('message-3');
    await press('message-actions-edit');
    await findTestId('composer-editing');
    expect(valueOf('composer-input')).toBe('my answer');
    mocked.editMessage.mockResolvedValue({
      ...history[2],
      body: 'my better answer',
      edited_at: now,
    });
    await typeInto('composer-input', 'my better answer');
    await press('composer-send');
    await waitFor(() => expect(textOf('message-3-body')).toBe('my better answer'));
    expect(mocked.editMessage).toHaveBeenCalledWith(1003, 'my better answer');
    expect(queryTestId('composer-editing')).toBeNull();
    expect(valueOf('composer-input')).toBe('');
  });

  it('reacts from the menu, then takes it back from the chip', async () => {
    await open();
    await openMessageActions('message-1');
    // Not mine, and I am a customer: no edit, no delete, no history.
    expect(queryTestId('message-actions-edit')).toBeNull();
    expect(queryTestId('message-actions-delete')).toBeNull();
    expect(queryTestId('message-actions-history')).toBeNull();
    mocked.setReaction.mockResolvedValue({
      ...history[0],
      reactions: [{ emoji: '🎉', count: 1, user_ids: [1] }],
    });
    await press('message-actions-react-🎉');
    await findTestId('message-1-reaction-🎉');
    expect(mocked.setReaction).toHaveBeenCalledWith(1001, '🎉', true);
    expect(textOf('message-1-reaction-🎉')).toBe('🎉 1');
    expect(queryTestId('message-actions')).toBeNull();
    mocked.setReaction.mockResolvedValue({ ...history[0] });
    await press('message-1-reaction-🎉');
    expect(mocked.setReaction).toHaveBeenLastCalledWith(1001, '🎉', false);
    await waitFor(() => expect(queryTestId('message-1-reaction-🎉')).toBeNull());
  });

  it('replies with a quote bar and sends reply_to', async () => {
    const { realtime } = await open();
    await openMessageActions('message-1');
    await press('message-actions-reply');
    expect(textOf('composer-replying')).toContain('Replying to Ana Agent');
    expect(textOf('composer-replying')).toContain('message 1');
    await typeInto('composer-input', 'thanks');
    await press('composer-send');
    expect(realtime.send).toHaveBeenCalledWith(7, 'thanks', {
      kind: 'text',
      attachments: [],
      replyTo: 1001,
    });
    expect(queryTestId('composer-replying')).toBeNull();
  });

  it('deletes my message after a confirmation', async () => {
    await open();
    await openMessageActions('message-3');
    await press('message-actions-delete');
    expect(mocked.deleteMessage).not.toHaveBeenCalled();
    mocked.deleteMessage.mockResolvedValue({
      ...history[2],
      body: '',
      deleted_at: now,
      attachments: [],
    });
    await press('message-actions-delete-confirm');
    await findTestId('message-3-deleted');
    expect(mocked.deleteMessage).toHaveBeenCalledWith(1003);
    expect(queryTestId('message-actions')).toBeNull();
  });

  it('shows the server’s refusal in the menu', async () => {
    await open();
    await openMessageActions('message-1');
    mocked.setReaction.mockRejectedValue(
      Object.assign(new Error('too many'), {
        isAxiosError: true,
        response: { status: 409, data: { error: { code: 'conflict', message: 'Too many emoji' } } },
      }),
    );
    await press('message-actions-react-👍');
    await waitFor(() => expect(textOf('message-actions-error')).toContain('Too many emoji'));
    await act(async () => undefined);
  });
});

describe('who may do what with a message', () => {
  const t0 = Date.parse('2026-11-25T12:00:00Z');
  const m = (extra: Partial<Message> = {}) =>
    message(1, { sender_id: me.id, created_at: new Date(t0).toISOString(), ...extra });
  const ticket = { kind: 'ticket' as const };
  const direct = { kind: 'direct' as const };

  it('the author edits within 15 minutes; an admin always', () => {
    expect(abilities(m(), me, direct, t0 + EDIT_WINDOW_MS - 1).edit).toBe(true);
    expect(abilities(m(), me, direct, t0 + EDIT_WINDOW_MS).edit).toBe(false);
    const admin = { ...agent, id: me.id, role: 'admin' as const };
    expect(abilities(m(), admin, direct, t0 + 10 * EDIT_WINDOW_MS).edit).toBe(true);
    expect(abilities(m({ sender_id: 9 }), admin, direct, t0).edit).toBe(false);
  });

  it('the author deletes; staff delete any message of a ticket, not of a direct chat', () => {
    expect(abilities(m(), me, direct, t0).delete).toBe(true);
    expect(abilities(m({ sender_id: 9 }), me, ticket, t0).delete).toBe(false);
    expect(abilities(m({ sender_id: 9 }), agent, ticket, t0).delete).toBe(true);
    expect(abilities(m({ sender_id: 9 }), agent, direct, t0).delete).toBe(false);
  });

  it('deleted and system messages offer nothing; the history is for staff and edited messages', () => {
    const none = { reply: false, react: false, edit: false, delete: false, history: false };
    expect(abilities(m({ deleted_at: 'x' }), me, ticket, t0)).toEqual(none);
    expect(abilities(m({ kind: 'system' }), agent, ticket, t0)).toEqual(none);
    expect(abilities(m({ edited_at: 'x' }), me, ticket, t0).history).toBe(false);
    expect(abilities(m({ edited_at: 'x' }), agent, ticket, t0).history).toBe(true);
    expect(abilities(m(), agent, ticket, t0).history).toBe(false);
  });
});
