import { Platform } from 'react-native';

import * as ticketsApi from '../src/api/tickets';
import { TicketsScreen } from '../src/screens/Tickets/TicketsScreen';
import { formatLeft, slaState } from '../src/screens/Tickets/sla';
import { signedIn } from '../src/state/auth';
import { makeStore } from '../src/state/store';
import { agent, me, staffSla, ticket } from './helpers/fixtures';
import { renderScreen } from './helpers/render';
import {
  findTestId,
  press,
  queryTestId,
  setWindowWidth,
  textOf,
  typeInto,
  waitFor,
} from './helpers/ui';

jest.mock('../src/api/tickets');
jest.mock('../src/api/conversations', () => ({
  getConversation: jest.fn(() => new Promise(() => undefined)),
  listMessages: jest.fn(() => new Promise(() => undefined)),
}));
const mocked = ticketsApi as jest.Mocked<typeof ticketsApi>;
const web = Platform.OS === 'web';

const printer = ticket({ tags: ['hardware'] });
const older = ticket({ id: 12, number: 1000, subject: 'Toner is empty', status: 'closed' });

beforeEach(() => {
  mocked.listTickets.mockImplementation(async (q) => ({
    items: q.requester ? [printer, older] : [printer],
    counts: { open: 1, in_progress: 0, pending: 0, closed: 0 },
    next_cursor: null,
  }));
  mocked.listTeams.mockResolvedValue([]);
  mocked.getTicket.mockResolvedValue(printer);
  mocked.ticketEvents.mockResolvedValue([]);
});

afterEach(async () => {
  await setWindowWidth(0);
});

function agentStore() {
  const store = makeStore();
  store.dispatch(signedIn(agent));
  return store;
}

describe('SLA badge', () => {
  const now = Date.parse('2026-11-25T12:00:00.000Z');
  it('counts down the first response, then the resolution', () => {
    expect(slaState(ticket(), now)).toEqual({
      clock: 'first_response',
      breached: false,
      leftMs: 4 * 3_600_000,
      paused: false,
    });
    const answered = ticket({ first_response_at: '2026-11-25T12:30:00.000Z' });
    expect(slaState(answered, now)?.clock).toBe('resolution');
  });

  it('says breached when the due time passed or the server says so, and nothing when closed', () => {
    expect(slaState(ticket(), Date.parse('2026-11-25T17:00:00.000Z'))?.breached).toBe(true);
    const flagged = ticket({
      sla: { ...staffSla, first_response_breached: true },
    });
    expect(slaState(flagged, now)?.breached).toBe(true);
    expect(slaState(ticket({ status: 'closed' }), now)).toBeNull();
  });

  it('shows no clock for a customer copy, which carries no due times', () => {
    expect(slaState(ticket({ sla: undefined }), now)).toBeNull();
  });

  it('freezes the resolution clock while the ticket waits on the customer', () => {
    const waiting = ticket({
      status: 'pending',
      first_response_at: '2026-11-25T09:00:00.000Z',
      sla: {
        ...staffSla,
        resolution_due: '2026-11-25T14:00:00.000Z',
        resolution_paused_since: '2026-11-25T11:00:00.000Z',
      },
    });
    // Three hours were left when it paused; still three hours, now and much later.
    for (const at of [now, now + 24 * 3_600_000]) {
      expect(slaState(waiting, at)).toEqual({
        clock: 'resolution',
        breached: false,
        leftMs: 3 * 3_600_000,
        paused: true,
      });
    }
    // Unanswered, the first-response clock keeps running even while pending.
    const unanswered = ticket({
      status: 'pending',
      sla: waiting.sla,
    });
    expect(slaState(unanswered, now)).toMatchObject({ clock: 'first_response', paused: false });
  });

  it('formats time left briefly', () => {
    expect(formatLeft(45 * 60_000)).toBe('45m');
    expect(formatLeft(3 * 3_600_000 + 20 * 60_000)).toBe('3h 20m');
    expect(formatLeft(52 * 3_600_000)).toBe('2d 4h');
  });
});

(web ? describe : describe.skip)('the desktop workspace (web)', () => {
  it('at 1440 px: list, the open ticket with pinned actions, and its context side by side', async () => {
    await setWindowWidth(1440);
    mocked.patchTicket.mockResolvedValue({ ...printer, version: 2, tags: ['hardware', 'vip'] });
    await renderScreen(TicketsScreen, { store: agentStore() });
    await findTestId('ticket-row-1001');
    expect(queryTestId('ticket-pane-empty')).not.toBeNull();
    expect(textOf('ticket-sla-1001')).toMatch(/left|breached/);
    await press('ticket-row-1001');
    await findTestId('ticket-pane');
    await findTestId('ticket-subject');
    expect(textOf('ticket-subject')).toContain('Printer on fire');
    expect(queryTestId('ticket-take')).not.toBeNull();
    // Context: the requester, their other tickets, tags.
    expect(textOf('context-requester')).toContain('Me Myself');
    await findTestId('context-ticket-1000');
    expect(mocked.listTickets).toHaveBeenCalledWith({ requester: 1, sort: 'updated', limit: 10 });
    expect(queryTestId('context-tag-hardware')).not.toBeNull();
    await typeInto('context-tag-input', 'vip');
    await press('context-tag-add');
    await waitFor(() =>
      expect(mocked.patchTicket).toHaveBeenCalledWith(11, 1, { tags: ['hardware', 'vip'] }),
    );
    await findTestId('context-tag-vip');
    // Another of their tickets opens in the same place.
    mocked.getTicket.mockResolvedValue(older);
    await press('context-ticket-1000');
    await waitFor(() => expect(textOf('ticket-subject')).toContain('Toner is empty'));
  });

  it('customers keep their one-column list at any width', async () => {
    await setWindowWidth(1440);
    const store = makeStore();
    store.dispatch(signedIn(me));
    await renderScreen(TicketsScreen, { store });
    await findTestId('ticket-row-1001');
    expect(queryTestId('ticket-pane-empty')).toBeNull();
  });

  it('below 1024 px: the phone layout, no side panes', async () => {
    await setWindowWidth(800);
    await renderScreen(TicketsScreen, { store: agentStore() });
    await findTestId('ticket-row-1001');
    expect(queryTestId('ticket-pane-empty')).toBeNull();
    expect(queryTestId('ticket-sla-1001')).toBeNull();
  });
});
