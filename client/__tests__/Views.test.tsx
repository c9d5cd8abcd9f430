import AsyncStorage from '@react-native-async-storage/async-storage';

import * as ticketsApi from '../src/api/tickets';
import { TicketsScreen } from '../src/screens/Tickets/TicketsScreen';
import { signedIn } from '../src/state/auth';
import { makeStore } from '../src/state/store';
import { ticketReceived, ticketsApiSlice } from '../src/state/queries/tickets';
import { compareTickets, nextDue } from '../src/state/tickets';
import { countFor, viewsKey, type SavedView } from '../src/state/views';
import { agent, staffSla, ticket } from './helpers/fixtures';
import { renderScreen } from './helpers/render';
import { act, findTestId, press, textOf, typeInto, waitFor } from './helpers/ui';

jest.mock('../src/api/tickets', () => ({
  ...jest.requireActual('../src/api/tickets'),
  listTickets: jest.fn(),
  listTeams: jest.fn(),
}));
jest.mock('../src/api/conversations', () => ({
  getConversation: jest.fn(() => new Promise(() => undefined)),
}));
const mocked = ticketsApi as jest.Mocked<typeof ticketsApi>;

const counts = { open: 3, in_progress: 1, pending: 2, closed: 5 };
const hour = 3_600_000;
const at = (h: number) => new Date(Date.parse('2026-11-25T12:00:00.000Z') + h * hour).toISOString();

beforeEach(async () => {
  await AsyncStorage.clear();
  mocked.listTickets.mockResolvedValue({ items: [ticket()], counts, next_cursor: null });
  mocked.listTeams.mockResolvedValue([]);
});

describe('sorting', () => {
  const low = ticket({ id: 1, number: 1, priority: 'low', updated_at: at(3), created_at: at(0) });
  const urgent = ticket({
    id: 2,
    number: 2,
    priority: 'urgent',
    updated_at: at(1),
    created_at: at(2),
  });
  const high = ticket({ id: 3, number: 3, priority: 'high', updated_at: at(2), created_at: at(1) });
  const ids = (sort: ticketsApi.TicketSort, list = [low, urgent, high]) =>
    [...list].sort(compareTickets(sort)).map((t) => t.id);

  it('orders like the server for each sort', () => {
    expect(ids('updated')).toEqual([1, 3, 2]);
    expect(ids('created')).toEqual([2, 3, 1]);
    expect(ids('priority')).toEqual([2, 3, 1]);
  });

  it('orders by the next due time: first response, then resolution; paused and closed last', () => {
    const sla = (first: number, resolve: number) => ({
      ...staffSla,
      first_response_due: at(first),
      resolution_due: at(resolve),
    });
    const answered = ticket({ id: 4, first_response_at: at(0), sla: sla(1, 5) });
    const waiting = ticket({
      id: 5,
      first_response_at: at(0),
      sla: { ...sla(1, 2), resolution_paused_since: at(0) },
    });
    const unanswered = ticket({ id: 6, sla: sla(3, 9) });
    const closed = ticket({ id: 7, status: 'closed', sla: sla(0, 0) });
    expect(nextDue(answered)).toBe(Date.parse(at(5)));
    expect(nextDue(waiting)).toBe(Infinity);
    expect(nextDue({ ...unanswered, sla: undefined })).toBe(Infinity);
    expect(ids('sla', [closed, waiting, answered, unanswered])).toEqual([6, 4, 5, 7]);
  });

  it('places a live change where the sort puts it, not always on top', async () => {
    const store = makeStore();
    store.dispatch(signedIn(agent));
    mocked.listTickets.mockResolvedValue({ items: [urgent, high, low], counts, next_cursor: null });
    const q = { sort: 'priority' as const };
    await store.dispatch(ticketsApiSlice.endpoints.listTickets.initiate(q));
    const ids = () =>
      ticketsApiSlice.endpoints.listTickets
        .select(q)(store.getState())
        .data?.items.map((t) => t.id);
    // Low becomes medium and was updated last: under priority sorting it stays below high.
    store.dispatch(
      ticketReceived({
        ticket: { ...low, priority: 'medium', version: 2, updated_at: at(9) },
        myId: agent.id,
      }),
    );
    expect(ids()).toEqual([2, 3, 1]);
    store.dispatch(
      ticketReceived({
        ticket: { ...low, priority: 'urgent', version: 3, updated_at: at(10) },
        myId: agent.id,
      }),
    );
    expect(ids()).toEqual([1, 2, 3]);
  });
});

describe('saved views', () => {
  const view = (extra: Partial<SavedView>): SavedView => ({
    id: 'v',
    name: 'v',
    tab: 'all',
    sort: 'updated',
    ...extra,
  });

  it('count what their list shows', () => {
    expect(countFor(view({ status: 'pending' }), counts)).toBe(2);
    expect(countFor(view({}), counts)).toBe(11);
    expect(countFor(view({ tab: 'queue' }), counts)).toBe(6);
  });

  it('are saved per agent on the device, applied with one press and counted live', async () => {
    const store = makeStore();
    store.dispatch(signedIn(agent));
    await renderScreen(TicketsScreen, { store });
    await findTestId('ticket-row-1001');

    // The agent narrows the list: waiting on customer, urgent, by SLA due time.
    await press('tickets-tab-mine');
    await press('tickets-filter-status-pending');
    await press('tickets-filter-priority-urgent');
    await press('tickets-sort-sla');
    await waitFor(() =>
      expect(mocked.listTickets).toHaveBeenLastCalledWith({
        sort: 'sla',
        status: 'pending',
        priority: 'urgent',
        assignee: 'me',
      }),
    );
    await press('tickets-view-new');
    await typeInto('tickets-view-name', 'My waiting urgent');
    await press('tickets-view-save');
    const saved = store.getState().views.items;
    expect(saved).toHaveLength(1);
    expect(saved[0]).toMatchObject({
      name: 'My waiting urgent',
      tab: 'mine',
      status: 'pending',
      priority: 'urgent',
      sort: 'sla',
    });
    await waitFor(async () =>
      expect(JSON.parse((await AsyncStorage.getItem(viewsKey(agent.id))) ?? '[]')).toEqual(saved),
    );
    const chip = `tickets-view-${saved[0].id}`;
    await waitFor(() => expect(textOf(chip)).toBe('My waiting urgent · 2'));

    // Elsewhere, then back with one press.
    await press('tickets-tab-all');
    await press('tickets-sort-created');
    await press(chip);
    await waitFor(() =>
      expect(mocked.listTickets).toHaveBeenLastCalledWith({
        sort: 'sla',
        status: 'pending',
        priority: 'urgent',
        assignee: 'me',
      }),
    );

    // A live ticket change refreshes the counts.
    mocked.listTickets.mockResolvedValue({
      items: [ticket()],
      counts: { ...counts, pending: 3 },
      next_cursor: null,
    });
    await act(async () => {
      store.dispatch(ticketReceived({ ticket: ticket({ version: 9 }), myId: agent.id }));
    });
    await waitFor(() => expect(textOf(chip)).toBe('My waiting urgent · 3'), { timeout: 3000 });

    await press('tickets-view-delete');
    expect(store.getState().views.items).toEqual([]);
  }, 20_000);
});
