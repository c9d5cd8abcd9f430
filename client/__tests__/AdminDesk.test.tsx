import * as deskApi from '../src/api/desk';
import * as ticketsApi from '../src/api/tickets';
import type { SlaSettings, Team, TeamRouting } from '../src/api/types';
import { adminSections } from '../src/screens/Admin/sections';
import { RoutingScreen } from '../src/screens/Admin/RoutingScreen';
import { SlaTargetsScreen } from '../src/screens/Admin/SlaTargetsScreen';
import { signedIn } from '../src/state/auth';
import { makeStore } from '../src/state/store';
import { agent } from './helpers/fixtures';
import { renderScreen } from './helpers/render';
import { findTestId, isChecked, press, textOf, typeInto, valueOf, waitFor } from './helpers/ui';

jest.mock('../src/api/desk');
jest.mock('../src/api/tickets');
const desk = deskApi as jest.Mocked<typeof deskApi>;
const tickets = ticketsApi as jest.Mocked<typeof ticketsApi>;

const sla: SlaSettings = {
  urgent: { first_response_minutes: 60, resolution_minutes: 480 },
  high: { first_response_minutes: 240, resolution_minutes: 1440 },
  medium: { first_response_minutes: 480, resolution_minutes: 4320 },
  low: { first_response_minutes: 1440, resolution_minutes: 7200 },
  pending_close_minutes: null,
};

const teams: Team[] = [
  { id: 3, name: 'Billing', members: [] },
  { id: 4, name: 'Tech', members: [] },
];

const manual: TeamRouting = {
  rule: 'manual',
  max_open: null,
  unassigned_limit_minutes: null,
  on_breach: 'notify',
};

/** An axios-like rejection carrying the protocol's error body. */
function apiError(status: number, error: object) {
  return Object.assign(new Error(`status ${status}`), {
    isAxiosError: true,
    response: { status, data: { error }, headers: {} },
  });
}

async function open(screen: () => React.JSX.Element) {
  const store = makeStore();
  store.dispatch(signedIn({ ...agent, role: 'admin' }));
  await renderScreen(screen, { store });
}

describe('Admin desk screens', () => {
  it('are registered in the admin area', () => {
    expect(adminSections.map((s) => s.route)).toEqual(
      expect.arrayContaining(['AdminSla', 'AdminRouting']),
    );
  });

  it('SLA targets: shows the stored values, sends what is typed, shows field errors', async () => {
    desk.getSla.mockResolvedValue(sla);
    desk.putSla
      .mockRejectedValueOnce(
        apiError(400, {
          code: 'validation_failed',
          message: 'validation failed',
          fields: {
            'urgent.resolution_minutes': 'must not be shorter than the first-response target',
          },
        }),
      )
      .mockImplementation(async (body) => body);
    await open(SlaTargetsScreen);
    await findTestId('sla-form');
    expect(valueOf('sla-urgent-first_response_minutes')).toBe('60');
    expect(valueOf('sla-pending-close')).toBe('');

    await typeInto('sla-urgent-first_response_minutes', '600');
    await press('sla-save');
    await waitFor(() =>
      expect(textOf('sla-form')).toContain('must not be shorter than the first-response target'),
    );

    await typeInto('sla-urgent-first_response_minutes', '30');
    await typeInto('sla-pending-close', '10080');
    await press('sla-save');
    await waitFor(() => expect(textOf('sla-message')).toBe('Saved.'));
    expect(desk.putSla).toHaveBeenLastCalledWith({
      ...sla,
      urgent: { first_response_minutes: 30, resolution_minutes: 480 },
      pending_close_minutes: 10080,
    });
  });

  it('Routing: lists the teams and edits the chosen team’s rule', async () => {
    tickets.listTeams.mockResolvedValue(teams);
    desk.getRouting.mockImplementation(async (id) =>
      id === 4 ? { ...manual, rule: 'fewest_open', max_open: 5 } : manual,
    );
    desk.putRouting.mockImplementation(async (_id, body) => body);
    await open(RoutingScreen);
    await findTestId('routing-form');
    expect(desk.getRouting).toHaveBeenCalledWith(3);
    expect(isChecked('routing-rule-manual')).toBe(true);

    await press('routing-team-4');
    await waitFor(() => expect(isChecked('routing-rule-fewest_open')).toBe(true));
    expect(valueOf('routing-cap')).toBe('5');

    await press('routing-rule-round_robin');
    await typeInto('routing-cap', '');
    await typeInto('routing-limit', '30');
    await press('routing-on-breach-reassign');
    await press('routing-save');
    await waitFor(() => expect(textOf('routing-message')).toBe('Saved.'));
    expect(desk.putRouting).toHaveBeenCalledWith(4, {
      rule: 'round_robin',
      max_open: null,
      unassigned_limit_minutes: 30,
      on_breach: 'reassign',
      intake: false,
    });
  });

  it('Routing: the server’s field errors show under their fields', async () => {
    tickets.listTeams.mockResolvedValue(teams);
    desk.getRouting.mockResolvedValue(manual);
    desk.putRouting.mockRejectedValue(
      apiError(400, {
        code: 'validation_failed',
        message: 'validation failed',
        fields: { max_open: 'must be 1 to 10000, or null' },
      }),
    );
    await open(RoutingScreen);
    await findTestId('routing-form');
    await typeInto('routing-cap', '0');
    await press('routing-save');
    await waitFor(() => expect(textOf('routing-form')).toContain('must be 1 to 10000, or null'));
  });
});
