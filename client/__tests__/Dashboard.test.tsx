import * as statsApi from '../src/api/stats';
import * as ticketsApi from '../src/api/tickets';
import type { StatsFigures, StatsReport } from '../src/api/types';
import { DashboardScreen } from '../src/screens/Admin/Dashboard/DashboardScreen';
import { formatDuration, windowOf } from '../src/screens/Admin/Dashboard/format';
import { CsatCard } from '../src/screens/TicketDetail/CsatCard';
import { signedIn } from '../src/state/auth';
import { makeStore } from '../src/state/store';
import { agent, me, ticket } from './helpers/fixtures';
import { renderScreen, renderWithApp } from './helpers/render';
import { findTestId, press, queryTestId, textOf, typeInto, waitFor } from './helpers/ui';

jest.mock('../src/api/stats');
jest.mock('../src/api/tickets');
const stats = statsApi as jest.Mocked<typeof statsApi>;
const tickets = ticketsApi as jest.Mocked<typeof ticketsApi>;

const H = 3_600_000;
const figures: StatsFigures = {
  opened: 5,
  closed: 4,
  backlog: 3,
  first_response: { count: 4, median_ms: 30 * 60_000, p90_ms: 2 * H },
  resolution: { count: 4, median_ms: 17 * H, p90_ms: 24 * H },
  sla: {
    first_response: { met: 3, total: 5, rate: 0.6 },
    resolution: { met: 2, total: 4, rate: 0.5 },
  },
  csat: { count: 3, average: 4 },
};
const report: StatsReport = {
  from: '2026-03-01',
  to: '2026-03-03',
  team_id: null,
  agent_id: null,
  days: [
    { date: '2026-03-01', opened: 2, closed: 2, backlog: 2 },
    { date: '2026-03-02', opened: 2, closed: 1, backlog: 3 },
    { date: '2026-03-03', opened: 1, closed: 1, backlog: 3 },
  ],
  totals: figures,
  agents: [{ agent: { id: 2, display_name: 'Alice' }, figures }],
  teams: [{ team: { id: 7, name: 'Billing' }, figures }],
};

async function openDashboard() {
  const store = makeStore();
  store.dispatch(signedIn({ ...agent, role: 'admin' }));
  await renderScreen(DashboardScreen, { store });
}

describe('Dashboard', () => {
  beforeEach(() => {
    stats.getStats.mockResolvedValue(report);
    tickets.listTeams.mockResolvedValue([{ id: 7, name: 'Billing', members: [] } as never]);
  });

  it('shows the figures, both charts and the breakdowns of the last 30 days', async () => {
    await openDashboard();
    await findTestId('dashboard-report');
    expect(stats.getStats).toHaveBeenCalledWith(windowOf(30));
    expect(textOf('stat-opened-value')).toBe('5');
    expect(textOf('stat-backlog-value')).toBe('3');
    expect(textOf('stat-first-response')).toContain('median 30m · p90 2h');
    expect(textOf('stat-sla-first-value')).toBe('60%');
    expect(textOf('stat-csat-value')).toBe('4.00');
    // Opened and closed side by side per day; the backlog as a line.
    expect(textOf('bar-chart')).toBe('2,2,2,1,1,1');
    expect(textOf('line-chart')).toBe('2,3,3');
    expect(textOf('dashboard-agents-2')).toContain('Alice');
    expect(textOf('dashboard-teams-7')).toContain('Billing');
  });

  it('asks again for another range, a team and an agent', async () => {
    await openDashboard();
    await findTestId('dashboard-report');
    await press('dashboard-range-7');
    await waitFor(() => expect(stats.getStats).toHaveBeenCalledWith(windowOf(7)));
    await findTestId('dashboard-team-7');
    await press('dashboard-team-7');
    await waitFor(() =>
      expect(stats.getStats).toHaveBeenCalledWith({ ...windowOf(7), team: 7, agent: undefined }),
    );
    await findTestId('dashboard-agent-2');
    await press('dashboard-agent-2');
    await waitFor(() =>
      expect(stats.getStats).toHaveBeenCalledWith({ ...windowOf(7), team: 7, agent: 2 }),
    );
  });

  it('writes durations the way people read them', () => {
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(40_000)).toBe('40s');
    expect(formatDuration(45 * 60_000)).toBe('45m');
    expect(formatDuration(3 * H + 20 * 60_000)).toBe('3h 20m');
    expect(formatDuration(52 * H)).toBe('2d 4h');
  });
});

describe('CSAT card', () => {
  async function show(t: ReturnType<typeof ticket>, who = me) {
    const store = makeStore();
    store.dispatch(signedIn(who));
    await renderWithApp(<CsatCard ticket={t} />, { store });
  }

  it('asks the requester of a closed, unrated ticket and sends the rating once', async () => {
    const closed = ticket({ status: 'closed', csat: null });
    tickets.rateTicket.mockResolvedValue({
      ...closed,
      csat: { score: 4, comment: 'Quick', rated_at: '2026-11-25T13:00:00.000Z' },
    });
    await show(closed);
    await findTestId('csat-card');
    await press('csat-score-4');
    await typeInto('csat-comment', 'Quick');
    await press('csat-send');
    await waitFor(() => expect(tickets.rateTicket).toHaveBeenCalledWith(11, 4, 'Quick'));
  });

  it('asks nobody while the ticket is open, nor anyone but the requester', async () => {
    await show(ticket({ status: 'open' }));
    expect(queryTestId('csat-card')).toBeNull();
    await show(ticket({ status: 'closed' }), agent);
    expect(queryTestId('csat-card')).toBeNull();
  });

  it('shows the rating to staff once given', async () => {
    await show(
      ticket({
        status: 'closed',
        csat: { score: 2, comment: 'Slow', rated_at: '2026-11-25T13:00:00.000Z' },
      }),
      agent,
    );
    expect(textOf('csat-rating')).toContain('2/5');
    expect(textOf('csat-rating')).toContain('Slow');
  });
});
