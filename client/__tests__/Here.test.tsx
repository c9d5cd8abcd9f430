import { handleServerFrame, type DispatchContext } from '../src/realtime/dispatcher';
import { ConversationView } from '../src/screens/Chat/ConversationView';
import { signedIn } from '../src/state/auth';
import { connectionChanged } from '../src/state/connection';
import { HERE_TTL_MS, hereExpired, othersHere } from '../src/state/here';
import { makeStore } from '../src/state/store';
import { agent } from './helpers/fixtures';
import { renderWithApp } from './helpers/render';
import { act, findTestId, queryTestId, textOf } from './helpers/ui';

jest.mock('../src/api/conversations', () => ({
  getConversation: jest.fn(() => new Promise(() => undefined)),
  listMessages: jest.fn(() => new Promise(() => undefined)),
}));

function setup() {
  const store = makeStore();
  store.dispatch(signedIn(agent));
  const onHereNewcomer = jest.fn();
  const ctx: DispatchContext = {
    dispatch: store.dispatch,
    getState: store.getState,
    outbox: { ack: jest.fn(() => true), fail: jest.fn() },
    onHereNewcomer,
    now: () => 1_000,
  };
  return { store, ctx, onHereNewcomer };
}

const frame = (user_id: number, display_name: string, activity: 'viewing' | 'replying' | 'left') =>
  ({ type: 'here', conversation_id: 70, user_id, display_name, activity }) as const;

describe('who else is here', () => {
  it('tracks others per conversation, greets newcomers once, forgets on leave or silence', () => {
    const { store, ctx, onHereNewcomer } = setup();
    handleServerFrame(frame(5, 'Alex', 'viewing'), ctx);
    handleServerFrame(frame(5, 'Alex', 'replying'), ctx);
    handleServerFrame(frame(6, 'Bea', 'viewing'), ctx);
    handleServerFrame(frame(agent.id, 'Me', 'viewing'), ctx); // our own echo: ignored
    expect(othersHere(store.getState().here, 70)).toEqual([
      { id: 5, name: 'Alex', activity: 'replying' },
      { id: 6, name: 'Bea', activity: 'viewing' },
    ]);
    // Each newcomer hears from us once (so they see us without waiting for our next repeat).
    expect(onHereNewcomer.mock.calls).toEqual([[70], [70]]);
    handleServerFrame(frame(5, 'Alex', 'left'), ctx);
    expect(othersHere(store.getState().here, 70).map((o) => o.name)).toEqual(['Bea']);
    store.dispatch(hereExpired({ now: 1_000 + HERE_TTL_MS }));
    expect(store.getState().here.byConversation).toEqual({});
  });

  it('a ticket conversation says who else is there, and tells others we are', async () => {
    const { store, ctx } = setup();
    store.dispatch(connectionChanged({ status: 'online' }));
    const { realtime } = await renderWithApp(<ConversationView conversationId={70} allowNotes />, {
      store,
    });
    expect(realtime.here).toHaveBeenCalledWith(70, 'viewing');
    expect(queryTestId('ticket-here')).toBeNull();
    await act(async () => {
      handleServerFrame(frame(5, 'Alex', 'viewing'), ctx);
      handleServerFrame(frame(6, 'Bea', 'replying'), ctx);
    });
    await findTestId('ticket-here');
    expect(textOf('ticket-here')).toBe('Alex is viewing · Bea is replying');
  });
});
