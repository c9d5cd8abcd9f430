import { AxiosError } from 'axios';

import * as ticketsApi from '../src/api/tickets';
import type { Ticket } from '../src/api/types';
import { summarize } from '../src/screens/Tickets/BulkBar';
import { TicketsScreen } from '../src/screens/Tickets/TicketsScreen';
import { signedIn } from '../src/state/auth';
import { applyToTickets } from '../src/state/bulk';
import { makeStore } from '../src/state/store';
import { agent, ticket } from './helpers/fixtures';
import { renderScreen } from './helpers/render';
import { findTestId, isChecked, press, queryTestId, textOf, typeInto, waitFor } from './helpers/ui';

jest.mock('../src/api/tickets');
jest.mock('../src/api/conversations', () => ({
  getConversation: jest.fn(() => new Promise(() => undefined)),
}));
const mocked = ticketsApi as jest.Mocked<typeof ticketsApi>;

const refusal = (status: number, code: string, message: string, current?: Ticket) =>
  Object.assign(new AxiosError(code), {
    response: { status, data: { error: { code, message, current } } },
  });

const a = ticket({ id: 1, number: 1001, tags: ['vip'] });
const b = ticket({ id: 2, number: 1002, subject: 'Scanner jams' });
const c = ticket({ id: 3, number: 1003, subject: 'Mouse is gone' });

describe('applyToTickets', () => {
  it('sends one request per ticket, retries a stale one once on its current version, and reports the rest', async () => {
    const newerB = { ...b, version: 4, tags: ['billing'] };
    const patch = jest.fn(async (id: number, version: number, p: ticketsApi.TicketPatch) => {
      if (id === 2 && version === 1) throw refusal(409, 'conflict', 'stale', newerB);
      if (id === 3) throw refusal(403, 'forbidden', 'you may not do that');
      const base = [a, newerB].find((t) => t.id === id)!;
      return { ...base, ...p, version: version + 1 } as Ticket;
    });
    const result = await applyToTickets(
      [a, b, c],
      (t) => ({ tags: [...t.tags, 'printer'] }),
      patch,
    );
    expect(patch).toHaveBeenCalledTimes(4);
    expect(patch).toHaveBeenCalledWith(2, 4, { tags: ['billing', 'printer'] });
    expect(result.updated.map((t) => [t.id, t.tags])).toEqual([
      [1, ['vip', 'printer']],
      [2, ['billing', 'printer']],
    ]);
    expect(result.failed).toEqual([{ ticket: c, message: 'you may not do that' }]);
    expect(summarize(result)).toBe('Updated 2 of 3. · Failed: #1003: you may not do that');
  });

  it('gives up on a ticket that is stale twice', async () => {
    const patch = jest.fn(async (_id: number, version: number) => {
      throw refusal(409, 'conflict', 'stale', { ...a, version: version + 1 });
    });
    const result = await applyToTickets([a], () => ({ status: 'closed' }), patch);
    expect(patch).toHaveBeenCalledTimes(2);
    expect(result.failed.map((f) => f.ticket.version)).toEqual([3]);
  });
});

describe('bulk actions on the list', () => {
  beforeEach(() => {
    mocked.listTickets.mockResolvedValue({
      items: [a, b, c],
      counts: { open: 3, in_progress: 0, pending: 0, closed: 0 },
      next_cursor: null,
    });
    mocked.listTeams.mockResolvedValue([]);
  });

  it('assigns the selected tickets to me and says how it went', async () => {
    const store = makeStore();
    store.dispatch(signedIn(agent));
    await renderScreen(TicketsScreen, { store });
    await findTestId('ticket-row-1001');
    expect(queryTestId('ticket-check-1001')).toBeNull();
    await press('tickets-select');
    await press('ticket-check-1001');
    await press('ticket-check-1003');
    expect(isChecked('ticket-check-1001')).toBe(true);
    expect(isChecked('ticket-check-1002')).toBe(false);
    expect(textOf('tickets-bulk-count')).toBe('2 selected');
    const me = { id: agent.id, display_name: agent.display_name, role: agent.role, avatar_url: '' };
    mocked.patchTicket.mockImplementation(async (id, version, p) => ({
      ...[a, b, c].find((t) => t.id === id)!,
      version: version + 1,
      assignee: p.assignee_id ? me : null,
    }));
    await press('tickets-bulk-assign-me');
    await waitFor(() => expect(textOf('tickets-bulk-summary')).toBe('Updated 2 of 2.'));
    expect(mocked.patchTicket.mock.calls).toEqual([
      [1, 1, { assignee_id: agent.id }],
      [3, 1, { assignee_id: agent.id }],
    ]);
    // Assigned, they leave the queue (and stay selected).
    await waitFor(() => expect(queryTestId('ticket-row-1003')).toBeNull());
    expect(textOf('tickets-bulk-count')).toBe('2 selected');

    // Tags are added to each ticket's own.
    await typeInto('tickets-bulk-tag', 'Printer');
    await press('tickets-bulk-tag-add');
    await waitFor(() => expect(mocked.patchTicket).toHaveBeenCalledTimes(4));
    expect(mocked.patchTicket).toHaveBeenCalledWith(1, 2, { tags: ['vip', 'printer'] });
  }, 20_000);
});
