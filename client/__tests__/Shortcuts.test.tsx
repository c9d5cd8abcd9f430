import { Platform } from 'react-native';

import * as ticketsApi from '../src/api/tickets';
import { shortcutKey } from '../src/lib/shortcutKey';
import { useShortcuts } from '../src/lib/shortcuts';
import { TicketHeader } from '../src/screens/TicketDetail/TicketHeader';
import { TicketsScreen } from '../src/screens/Tickets/TicketsScreen';
import { signedIn } from '../src/state/auth';
import { makeStore } from '../src/state/store';
import { agent, ticket } from './helpers/fixtures';
import { renderScreen, renderWithApp } from './helpers/render';
import { act, findTestId, hasFocus, keyDown, queryTestId, waitFor } from './helpers/ui';
// The web project renders into the DOM (react-native-web); this suite's keyboard tests are web only.
import { render } from '@testing-library/react';

jest.mock('../src/api/tickets');
jest.mock('../src/api/conversations', () => ({
  getConversation: jest.fn(() => new Promise(() => undefined)),
}));
const mocked = ticketsApi as jest.Mocked<typeof ticketsApi>;
const web = Platform.OS === 'web';

function agentStore() {
  const store = makeStore();
  store.dispatch(signedIn(agent));
  return store;
}

beforeEach(() => {
  mocked.listTickets.mockResolvedValue({
    items: [ticket(), ticket({ id: 12, number: 1002, subject: 'Second' })],
    counts: { open: 2, in_progress: 0, pending: 0, closed: 0 },
    next_cursor: null,
  });
  mocked.listTeams.mockResolvedValue([]);
});

describe('shortcutKey', () => {
  it('passes plain keys and leaves fields, modifiers and input methods alone', () => {
    expect(shortcutKey({ key: 'j' })).toBe('j');
    expect(shortcutKey({ key: '?' })).toBe('?');
    expect(shortcutKey({ key: 'j', target: { tagName: 'TEXTAREA' } as never })).toBeNull();
    expect(shortcutKey({ key: 'j', target: { tagName: 'input' } as never })).toBeNull();
    expect(
      shortcutKey({ key: 'j', target: { tagName: 'DIV', isContentEditable: true } as never }),
    ).toBeNull();
    expect(shortcutKey({ key: 'r', ctrlKey: true })).toBeNull();
    expect(shortcutKey({ key: 'r', metaKey: true })).toBeNull();
    expect(shortcutKey({ key: 'j', isComposing: true })).toBeNull();
  });
});

(web ? describe : describe.skip)('keyboard shortcuts (web)', () => {
  it('j/k move through the queue, / searches, ? lists the shortcuts', async () => {
    await renderScreen(TicketsScreen, { store: agentStore() });
    await findTestId('ticket-row-1002');
    expect(queryTestId('ticket-row-1001-cursor')).toBeNull();
    await keyDown('j');
    expect(queryTestId('ticket-row-1001-cursor')).not.toBeNull();
    await keyDown('j');
    expect(queryTestId('ticket-row-1002-cursor')).not.toBeNull();
    await keyDown('j'); // stays on the last
    expect(queryTestId('ticket-row-1002-cursor')).not.toBeNull();
    await keyDown('k');
    expect(queryTestId('ticket-row-1001-cursor')).not.toBeNull();
    await keyDown('/');
    expect(hasFocus('tickets-search')).toBe(true);
    // Typing in the field is typing, not a shortcut.
    await keyDown('j', 'tickets-search');
    expect(queryTestId('ticket-row-1001-cursor')).not.toBeNull();
    await keyDown('?');
    expect(queryTestId('shortcuts-help')).not.toBeNull();
    await keyDown('Escape');
    expect(queryTestId('shortcuts-help')).toBeNull();
  });

  it('an exclusive layer (the image viewer) holds the keys until it closes', async () => {
    await renderScreen(TicketsScreen, { store: agentStore() });
    await findTestId('ticket-row-1002');
    const seen: string[] = [];
    function Viewer() {
      useShortcuts({ j: () => seen.push('j') }, true, true);
      return null;
    }
    const viewer = render(<Viewer />);
    await keyDown('j');
    expect(seen).toEqual(['j']);
    expect(queryTestId('ticket-row-1001-cursor')).toBeNull();
    await act(async () => viewer.unmount());
    await keyDown('j');
    expect(seen).toEqual(['j']);
    expect(queryTestId('ticket-row-1001-cursor')).not.toBeNull();
  });

  it('a assigns the open ticket to me, s moves the focus to its status', async () => {
    mocked.patchTicket.mockResolvedValue(ticket({ version: 2, status: 'in_progress' }));
    await renderWithApp(<TicketHeader ticket={ticket()} events={[]} shortcuts />, {
      store: agentStore(),
    });
    await keyDown('a');
    await waitFor(() =>
      expect(mocked.patchTicket).toHaveBeenCalledWith(11, 1, {
        assignee_id: 2,
        status: 'in_progress',
      }),
    );
    await keyDown('s');
    expect(hasFocus('ticket-set-status-open')).toBe(true);
  });

  it('does nothing when the screen says shortcuts are off', async () => {
    await renderWithApp(<TicketHeader ticket={ticket()} events={[]} />, { store: agentStore() });
    await keyDown('a');
    expect(mocked.patchTicket).not.toHaveBeenCalled();
  });
});
