import { AxiosError } from 'axios';

import * as ticketsApi from '../src/api/tickets';
import { NewTicketScreen } from '../src/screens/NewTicket/NewTicketScreen';
import { TicketHeader } from '../src/screens/TicketDetail/TicketHeader';
import { TicketsScreen } from '../src/screens/Tickets/TicketsScreen';
import { roleChanged, signedIn } from '../src/state/auth';
import { conversationUpserted } from '../src/state/conversations';
import { makeStore } from '../src/state/store';
import { selectTicket, ticketReceived, ticketsApiSlice } from '../src/state/queries/tickets';
import { agent, conversation, me, ticket } from './helpers/fixtures';
import { renderScreen, renderWithApp } from './helpers/render';
import {
  act,
  byLabel,
  byTestId,
  findTestId,
  press,
  queryTestId,
  textOf,
  typeInto,
  waitFor,
} from './helpers/ui';

jest.mock('../src/api/tickets');
jest.mock('../src/api/conversations', () => ({
  getConversation: jest.fn(() => new Promise(() => undefined)),
}));
const mocked = ticketsApi as jest.Mocked<typeof ticketsApi>;

const counts = { open: 4, in_progress: 2, pending: 0, closed: 9 };

function storeFor(user: typeof me) {
  const store = makeStore();
  store.dispatch(signedIn(user));
  return store;
}

beforeEach(() => {
  mocked.listTickets.mockResolvedValue({ items: [ticket()], counts, next_cursor: null });
  mocked.listTeams.mockResolvedValue([]);
});

describe('Tickets screen', () => {
  it('agents start on the unassigned queue, with counts per status', async () => {
    const store = storeFor(agent);
    await renderScreen(TicketsScreen, { store });
    await findTestId('ticket-row-1001');
    expect(mocked.listTickets).toHaveBeenCalledWith({ sort: 'updated', assignee: 'none' });
    expect(textOf('tickets-count-open')).toBe('Open: 4');
    expect(textOf('tickets-count-closed')).toBe('Closed: 9');
    expect(byTestId('tickets-tab-mine')).toBeTruthy();
  });

  it('a customer promoted to agent gets the agent tabs and the queue without a reload', async () => {
    const store = storeFor(me);
    await renderScreen(TicketsScreen, { store });
    await findTestId('ticket-row-1001');
    expect(queryTestId('tickets-tab-queue')).toBeNull();
    await act(async () => {
      store.dispatch(roleChanged('agent'));
    });
    await findTestId('tickets-tab-queue');
    await waitFor(() =>
      expect(mocked.listTickets).toHaveBeenLastCalledWith({ sort: 'updated', assignee: 'none' }),
    );
  });

  it('a ticket that is closed leaves the queue (and the Closed chip still finds it)', async () => {
    const store = storeFor(agent);
    await renderScreen(TicketsScreen, { store });
    await findTestId('ticket-row-1001');
    await act(async () => {
      store.dispatch(ticketReceived({ ticket: ticket({ status: 'closed', version: 2 }), myId: 2 }));
    });
    expect(queryTestId('ticket-row-1001')).toBeNull();
    mocked.listTickets.mockResolvedValue({
      items: [ticket({ status: 'closed', version: 2 })],
      counts,
      next_cursor: null,
    });
    await press('tickets-filter-status-closed');
    await findTestId('ticket-row-1001');
  });

  it('switching to "Mine" and filtering by status asks the server for exactly that', async () => {
    const store = storeFor(agent);
    await renderScreen(TicketsScreen, { store });
    await findTestId('ticket-row-1001');
    await press('tickets-tab-mine');
    await press('tickets-filter-status-closed');
    await waitFor(() =>
      expect(mocked.listTickets).toHaveBeenLastCalledWith({
        sort: 'updated',
        assignee: 'me',
        status: 'closed',
      }),
    );
  });

  it('customers see their tickets without agent tabs, with unread counts', async () => {
    const store = storeFor(me);
    store.dispatch(
      conversationUpserted(conversation({ id: 70, kind: 'ticket', unread_count: 3, last_seq: 5 })),
    );
    await renderScreen(TicketsScreen, { store });
    await findTestId('ticket-row-1001');
    expect(queryTestId('tickets-tab')).toBeNull();
    expect(textOf('ticket-unread-1001')).toBe('3');
    expect(mocked.listTickets).toHaveBeenCalledWith({ sort: 'updated' });
  });

  it('a ticket that arrives live shows up in the queue', async () => {
    mocked.listTickets.mockResolvedValue({
      items: [],
      counts: { open: 0, in_progress: 0, pending: 0, closed: 0 },
    });
    const store = storeFor(agent);
    await renderScreen(TicketsScreen, { store });
    await findTestId('tickets-empty');
    await act(async () => {
      store.dispatch(ticketReceived({ ticket: ticket({ id: 12, number: 1002 }), myId: agent.id }));
    });
    expect(byTestId('ticket-row-1002')).toBeTruthy();
    expect(textOf('tickets-count-open')).toBe('Open: 1');
  });
});

describe('New ticket screen', () => {
  it('labels Subject and Message and opens the ticket', async () => {
    mocked.createTicket.mockResolvedValue(ticket());
    await renderScreen(NewTicketScreen, { store: storeFor(me) });
    expect(byLabel('Subject')).toBe(byTestId('new-ticket-subject'));
    expect(byLabel('Message')).toBe(byTestId('new-ticket-body'));
    await typeInto('new-ticket-subject', 'Printer on fire');
    await typeInto('new-ticket-body', 'It is really on fire');
    await press('new-ticket-priority-urgent');
    await press('new-ticket-submit');
    await waitFor(() =>
      expect(mocked.createTicket).toHaveBeenCalledWith(
        'Printer on fire',
        'It is really on fire',
        'urgent',
      ),
    );
  });
});

describe('Ticket header', () => {
  it('an agent takes an open ticket: assigned to them and in progress, with the version seen', async () => {
    const store = storeFor(agent);
    const taken = ticket({
      version: 2,
      status: 'in_progress',
      assignee: { id: 2, display_name: 'Ana Agent', role: 'agent', avatar_url: '' },
    });
    mocked.patchTicket.mockResolvedValue(taken);
    // The ticket as its screen holds it.
    mocked.getTicket.mockResolvedValue(ticket());
    await store.dispatch(ticketsApiSlice.endpoints.getTicket.initiate(11));
    await renderWithApp(<TicketHeader ticket={ticket()} events={[]} />, { store });
    expect(textOf('ticket-sla')).toContain('First response due');
    await press('ticket-take');
    expect(mocked.patchTicket).toHaveBeenCalledWith(11, 1, {
      assignee_id: 2,
      status: 'in_progress',
    });
    await waitFor(() => expect(selectTicket(store.getState(), 11)?.assignee?.id).toBe(2));
  });

  it('a stale version shows the conflict and adopts the current ticket', async () => {
    const store = storeFor(agent);
    const current = ticket({ version: 5, priority: 'urgent' });
    mocked.patchTicket.mockRejectedValue(
      Object.assign(new AxiosError('conflict'), {
        response: { status: 409, data: { error: { code: 'conflict', message: 'stale', current } } },
      }),
    );
    // The ticket as its screen holds it.
    mocked.getTicket.mockResolvedValue(ticket());
    await store.dispatch(ticketsApiSlice.endpoints.getTicket.initiate(11));
    await renderWithApp(<TicketHeader ticket={ticket()} events={[]} />, { store });
    await press('ticket-set-priority-low');
    await findTestId('ticket-error');
    expect(textOf('ticket-error')).toContain('Someone else changed this ticket');
    expect(selectTicket(store.getState(), 11)?.version).toBe(5);
  });

  it('history names people, teams and values instead of showing ids', async () => {
    const store = storeFor(agent);
    const bea = { id: 5, display_name: 'Bea Agent', role: 'agent' as const, avatar_url: '' };
    mocked.listTeams.mockResolvedValue([{ id: 4, name: 'Billing', members: [bea] }]);
    await store.dispatch(ticketsApiSlice.endpoints.getTeams.initiate());
    const actor = { id: 2, display_name: 'Ana Agent', role: 'agent' as const, avatar_url: '' };
    const at = '2026-11-25T12:00:00.000Z';
    const events = [
      {
        id: 1,
        ticket_id: 11,
        actor,
        field: 'assignee',
        old_value: null,
        new_value: '5',
        created_at: at,
      },
      {
        id: 2,
        ticket_id: 11,
        actor,
        field: 'team',
        old_value: null,
        new_value: '4',
        created_at: at,
      },
      {
        id: 3,
        ticket_id: 11,
        actor,
        field: 'status',
        old_value: 'open',
        new_value: 'in_progress',
        created_at: at,
      },
      {
        id: 4,
        ticket_id: 11,
        actor,
        field: 'assignee',
        old_value: '5',
        new_value: '2',
        created_at: at,
      },
    ];
    await renderWithApp(<TicketHeader ticket={ticket()} events={events} />, { store });
    await press('ticket-history-toggle');
    expect(textOf('ticket-event-1')).toContain('Ana Agent changed assignee: — → Bea Agent');
    expect(textOf('ticket-event-2')).toContain('changed team: — → Billing');
    expect(textOf('ticket-event-3')).toContain('changed status: Open → In progress');
    expect(textOf('ticket-event-4')).toContain('Bea Agent → Ana Agent');
  });

  it('SLA due times are for staff: customers do not see them', async () => {
    const store = storeFor(me);
    await renderWithApp(<TicketHeader ticket={ticket()} events={[]} />, { store });
    expect(queryTestId('ticket-sla')).toBeNull();
  });

  it('customers can close their ticket but get no agent controls', async () => {
    const store = storeFor(me);
    mocked.patchTicket.mockResolvedValue(ticket({ status: 'closed', version: 2 }));
    await renderWithApp(<TicketHeader ticket={ticket()} events={[]} />, { store });
    expect(queryTestId('ticket-take')).toBeNull();
    expect(queryTestId('ticket-set-status')).toBeNull();
    await press('ticket-close');
    expect(mocked.patchTicket).toHaveBeenCalledWith(11, 1, { status: 'closed' });
  });
});

describe('Ticket header: teams', () => {
  it('assigns a team ticket to one of the team agents', async () => {
    const store = storeFor(agent);
    const bea = { id: 5, display_name: 'Bea Agent', role: 'agent' as const, avatar_url: '' };
    mocked.listTeams.mockResolvedValue([{ id: 4, name: 'Billing', members: [bea] }]);
    await store.dispatch(ticketsApiSlice.endpoints.getTeams.initiate());
    const teamTicket = ticket({ team: { id: 4, name: 'Billing' } });
    mocked.patchTicket.mockResolvedValue({ ...teamTicket, version: 2, assignee: bea });
    await renderWithApp(<TicketHeader ticket={teamTicket} events={[]} />, { store });
    await press('ticket-set-assignee-5');
    expect(mocked.patchTicket).toHaveBeenCalledWith(11, 1, { assignee_id: 5 });
    await press('ticket-set-team-none');
    expect(mocked.patchTicket).toHaveBeenLastCalledWith(11, 1, { team_id: null });
  });
});
