import { AxiosError } from 'axios';

import * as convApi from '../src/api/conversations';
import { ConversationView } from '../src/screens/Chat/ConversationView';
import { signedIn } from '../src/state/auth';
import { conversationUpserted, readReceived, typingReceived } from '../src/state/conversations';
import {
  messageReceived,
  messagesLoaded,
  outboxChanged,
  type OutboxItem,
} from '../src/state/messages';
import { makeStore } from '../src/state/store';
import { conversation, me, message } from './helpers/fixtures';
import { renderWithApp } from './helpers/render';
import {
  act,
  byLabel,
  byTestId,
  findTestId,
  press,
  queryByText,
  queryTestId,
  scrollTo,
  textOf,
  typeInto,
  waitFor,
} from './helpers/ui';

jest.mock('../src/api/conversations');
const mocked = convApi as jest.Mocked<typeof convApi>;

function outboxItem(extra: Partial<OutboxItem>): OutboxItem {
  return {
    client_id: 'c-1',
    conversation_id: 7,
    body: 'on its way',
    kind: 'text',
    attachment_ids: [],
    attachments: [],
    created_at: '2026-11-25T12:10:00.000Z',
    state: 'pending',
    attempts: 1,
    last_sent_at: 0,
    ...extra,
  };
}

function storeWithConversation() {
  const store = makeStore();
  store.dispatch(signedIn(me));
  store.dispatch(
    conversationUpserted(
      conversation({
        last_seq: 3,
        members: [
          {
            user_id: 1,
            display_name: 'Me Myself',
            role: 'customer',
            avatar_url: '',
            last_read_seq: 3,
          },
          {
            user_id: 2,
            display_name: 'Ana Agent',
            role: 'agent',
            avatar_url: '',
            last_read_seq: 2,
          },
        ],
      }),
    ),
  );
  return store;
}

beforeEach(() => {
  mocked.getConversation.mockResolvedValue(
    conversation({
      last_seq: 3,
      members: [
        {
          user_id: 1,
          display_name: 'Me Myself',
          role: 'customer',
          avatar_url: '',
          last_read_seq: 3,
        },
        { user_id: 2, display_name: 'Ana Agent', role: 'agent', avatar_url: '', last_read_seq: 2 },
      ],
    }),
  );
  mocked.listMessages.mockResolvedValue([
    message(1),
    message(2, { kind: 'note', body: 'customer seems upset' }),
    message(3, { sender_id: 1, body: 'my reply' }),
  ]);
});

describe('ConversationView', () => {
  it('loads the latest messages and marks internal notes visibly', async () => {
    const store = storeWithConversation();
    const { realtime } = await renderWithApp(<ConversationView conversationId={7} allowNotes />, {
      store,
    });
    await findTestId('message-3');
    expect(mocked.listMessages).toHaveBeenCalledWith(7, { before_seq: 4, limit: 50 });
    expect(textOf('message-1')).toContain('message 1');
    expect(queryTestId('message-1-note-label')).toBeNull();
    expect(textOf('message-2-note-label')).toContain('Internal note');
    // My last message: delivered, not yet read by Ana (she read up to 2).
    expect(textOf('message-3-delivery')).toBe('Sent');
    // Opening the conversation reads it.
    await waitFor(() => expect(realtime.read).toHaveBeenCalledWith(7, 3));
  });

  it('shows a read receipt once the other member read my message', async () => {
    const store = storeWithConversation();
    await renderWithApp(<ConversationView conversationId={7} allowNotes={false} />, { store });
    await findTestId('message-3');
    await act(async () => {
      store.dispatch(readReceived({ conversationId: 7, userId: 2, seq: 3, mine: false }));
    });
    expect(textOf('message-3-delivery')).toBe('Read');
  });

  it('sends through the outbox and shows pending, then failed with retry', async () => {
    const store = storeWithConversation();
    const { realtime } = await renderWithApp(
      <ConversationView conversationId={7} allowNotes={false} />,
      { store },
    );
    await findTestId('message-3');
    expect(byLabel('Message')).toBe(byTestId('composer-input'));
    await typeInto('composer-input', 'hello there');
    await press('composer-send');
    expect(realtime.send).toHaveBeenCalledWith(7, 'hello there', { kind: 'text', attachments: [] });

    await act(async () => {
      store.dispatch(outboxChanged([outboxItem({})]));
    });
    expect(textOf('outbox-c-1-delivery')).toBe('Sending…');
    expect(queryTestId('outbox-c-1-retry')).toBeNull();
    await act(async () => {
      store.dispatch(outboxChanged([outboxItem({ state: 'failed', error: 'timeout' })]));
    });
    expect(textOf('outbox-c-1-delivery')).toBe('Not sent');
    expect(textOf('outbox-c-1-failure')).toBe('The server did not answer.');
    await press('outbox-c-1-retry');
    expect(realtime.retry).toHaveBeenCalledWith('c-1');
  });

  it('a refused message shows the server reason and offers no retry', async () => {
    const store = storeWithConversation();
    const { realtime } = await renderWithApp(
      <ConversationView conversationId={7} allowNotes={false} />,
      { store },
    );
    await findTestId('message-3');
    await act(async () => {
      store.dispatch(
        outboxChanged([
          outboxItem({
            state: 'failed',
            error: 'validation_failed',
            error_message: 'body: must be 1 to 10000 characters',
          }),
        ]),
      );
    });
    expect(textOf('outbox-c-1-delivery')).toBe('Not sent');
    expect(textOf('outbox-c-1-failure')).toBe('body: must be 1 to 10000 characters');
    expect(queryTestId('outbox-c-1-retry')).toBeNull();
    await press('outbox-c-1-discard');
    expect(realtime.discard).toHaveBeenCalledWith('c-1');
  });

  it('an attachment with no caption is named by its file', async () => {
    const store = storeWithConversation();
    await renderWithApp(<ConversationView conversationId={7} allowNotes={false} />, { store });
    await findTestId('message-3');
    const photo = {
      id: 5,
      name: 'invoice.pdf',
      content_type: 'application/pdf',
      created_at: '2026-11-25T12:00:00.000Z',
      size: 10,
      is_image: false,
      url: '/api/v1/files/5',
    };
    await act(async () => {
      store.dispatch(
        outboxChanged([outboxItem({ body: '', attachment_ids: [5], attachments: [photo] })]),
      );
    });
    expect(byTestId('outbox-c-1-attachment-0')).toBeTruthy();
    expect(byLabel('You: invoice.pdf')).toBe(byTestId('outbox-c-1'));
  });

  it('an acked message replaces its pending copy (shown once)', async () => {
    const store = storeWithConversation();
    await renderWithApp(<ConversationView conversationId={7} allowNotes={false} />, { store });
    await findTestId('message-3');
    await act(async () => {
      store.dispatch(outboxChanged([outboxItem({ client_id: 'c-4' })]));
      store.dispatch(
        messagesLoaded({
          conversationId: 7,
          items: [message(4, { sender_id: 1, client_id: 'c-4', body: 'on its way' })],
          page: 'newer',
          limit: 50,
        }),
      );
    });
    expect(byTestId('message-4')).toBeTruthy();
    expect(queryTestId('outbox-c-4')).toBeNull();
  });

  it('shows who is typing', async () => {
    const store = storeWithConversation();
    await renderWithApp(<ConversationView conversationId={7} allowNotes={false} />, { store });
    await findTestId('message-3');
    expect(queryTestId('typing-indicator')).toBeNull();
    await act(async () => {
      store.dispatch(typingReceived({ conversationId: 7, userId: 2, now: Date.now() }));
    });
    expect(textOf('typing-indicator')).toBe('Ana Agent is typing…');
  });

  it('agents can switch the composer to internal notes', async () => {
    const store = storeWithConversation();
    const { realtime } = await renderWithApp(<ConversationView conversationId={7} allowNotes />, {
      store,
    });
    await findTestId('message-3');
    await typeInto('composer-input', 'a');
    expect(realtime.typing).toHaveBeenCalledTimes(1);
    await press('composer-mode-note');
    await typeInto('composer-input', 'check the logs');
    expect(realtime.typing).toHaveBeenCalledTimes(1); // notes don't show as typing
    await press('composer-send');
    expect(realtime.send).toHaveBeenCalledWith(7, 'check the logs', {
      kind: 'note',
      attachments: [],
    });
  });

  it('customers have no note mode', async () => {
    const store = storeWithConversation();
    await renderWithApp(<ConversationView conversationId={7} allowNotes={false} />, { store });
    await findTestId('message-3');
    expect(queryTestId('composer-mode-note')).toBeNull();
  });
});

describe('ConversationView: where it opens and follows', () => {
  it('marks the first message that arrived since the last visit', async () => {
    const store = storeWithConversation();
    store.dispatch(conversationUpserted(conversation({ last_seq: 3, last_read_seq: 1 })));
    await renderWithApp(<ConversationView conversationId={7} allowNotes={false} />, { store });
    await findTestId('message-3');
    expect(textOf('chat-unread-divider')).toContain('New messages');
  });

  it('no divider for messages that arrive while the conversation is open', async () => {
    const store = storeWithConversation();
    store.dispatch(conversationUpserted(conversation({ last_seq: 3, last_read_seq: 3 })));
    await renderWithApp(<ConversationView conversationId={7} allowNotes={false} />, { store });
    await findTestId('message-3');
    await act(async () => {
      store.dispatch(messageReceived({ message: message(4), mine: false }));
    });
    expect(byTestId('message-4')).toBeTruthy();
    expect(queryTestId('chat-unread-divider')).toBeNull();
  });

  it('no divider when everything was read', async () => {
    const store = storeWithConversation();
    store.dispatch(conversationUpserted(conversation({ last_seq: 3, last_read_seq: 3 })));
    await renderWithApp(<ConversationView conversationId={7} allowNotes={false} />, { store });
    await findTestId('message-3');
    expect(queryTestId('chat-unread-divider')).toBeNull();
  });

  it('offers a jump to the latest message when scrolled away, counting new ones', async () => {
    const store = storeWithConversation();
    await renderWithApp(<ConversationView conversationId={7} allowNotes={false} />, { store });
    await findTestId('message-3');
    expect(queryTestId('chat-jump-latest')).toBeNull();
    await scrollTo('message-list', 900);
    expect(textOf('chat-jump-latest')).toContain('Jump to latest');
    await act(async () => {
      store.dispatch(messageReceived({ message: message(4), mine: false }));
    });
    expect(textOf('chat-jump-latest')).toContain('1 new');
    await press('chat-jump-latest');
    expect(queryTestId('chat-jump-latest')).toBeNull();
  });
});

describe('ConversationView: offline', () => {
  it('says calmly that it is offline instead of "Network Error", and shows pending sends', async () => {
    mocked.getConversation.mockRejectedValue(new AxiosError('Network Error', 'ERR_NETWORK'));
    const store = storeWithConversation();
    store.dispatch(outboxChanged([outboxItem({})]));
    await renderWithApp(<ConversationView conversationId={7} allowNotes={false} />, { store });
    await findTestId('chat-offline-notice');
    expect(textOf('chat-offline-notice')).toContain('You are offline');
    expect(byTestId('outbox-c-1')).toBeTruthy();
    expect(queryByText(/Something went wrong/)).toBeNull();
  });
});

describe('ConversationView: older messages', () => {
  it('offers no older page when the first message is loaded', async () => {
    const store = storeWithConversation();
    await renderWithApp(<ConversationView conversationId={7} allowNotes={false} />, { store });
    await findTestId('message-3');
    expect(queryTestId('chat-load-older')).toBeNull();
  });

  it('loads the page below the oldest message on demand', async () => {
    mocked.getConversation.mockResolvedValue(conversation({ last_seq: 100 }));
    mocked.listMessages.mockImplementation(async (_id, opts) => {
      const top = (opts.before_seq ?? 101) - 1;
      const from = Math.max(1, top - (opts.limit ?? 50) + 1);
      return Array.from({ length: top - from + 1 }, (_, i) => message(from + i));
    });
    const store = storeWithConversation();
    await renderWithApp(<ConversationView conversationId={7} allowNotes={false} />, { store });
    await findTestId('chat-load-older');
    expect(mocked.listMessages).toHaveBeenCalledWith(7, { before_seq: 101, limit: 50 });
    await press('chat-load-older');
    await waitFor(() =>
      expect(mocked.listMessages).toHaveBeenCalledWith(7, { before_seq: 51, limit: 50 }),
    );
    await waitFor(() =>
      expect(store.getState().messages.byConversation['7'].items).toHaveLength(100),
    );
    expect(store.getState().messages.byConversation['7'].hasOlder).toBe(false);
  });
});
