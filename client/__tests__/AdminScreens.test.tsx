import * as adminApi from '../src/api/admin';
import { cancelProactiveRefresh } from '../src/api/client';
import * as ticketsApi from '../src/api/tickets';
import type { Team, User } from '../src/api/types';
import { AcceptInviteScreen } from '../src/screens/AcceptInvite/AcceptInviteScreen';
import { TeamsScreen } from '../src/screens/Admin/TeamsScreen';
import { UsersScreen } from '../src/screens/Admin/UsersScreen';
import { signedIn } from '../src/state/auth';
import { makeStore } from '../src/state/store';
import { agent, me } from './helpers/fixtures';
import { renderScreen } from './helpers/render';
import {
  findTestId,
  isDisabled,
  press,
  queryTestId,
  textOf,
  typeInto,
  valueOf,
  waitFor,
} from './helpers/ui';

jest.mock('../src/api/admin');
jest.mock('../src/api/tickets');
const mocked = adminApi as jest.Mocked<typeof adminApi>;
const tickets = ticketsApi as jest.Mocked<typeof ticketsApi>;

const admin: User = {
  ...me,
  id: 9,
  email: 'boss@example.com',
  display_name: 'Boss',
  role: 'admin',
};
const customer: User = { ...me, id: 3, email: 'cus@example.com', display_name: 'Cus' };
const zed: User = { ...agent, id: 10, email: 'zed@example.com', display_name: 'Zed' };

function apiError(status: number, error: object) {
  return Object.assign(new Error(`status ${status}`), {
    isAxiosError: true,
    response: { status, data: { error }, headers: {} },
  });
}

async function open(Screen: Parameters<typeof renderScreen>[0]) {
  const store = makeStore();
  store.dispatch(signedIn(admin));
  await renderScreen(Screen, { store });
  return store;
}

describe('Users screen', () => {
  it('lists pages of users; the admin cannot change their own role or account', async () => {
    mocked.listUsers
      .mockResolvedValueOnce({ items: [admin, agent], next_cursor: 2 })
      .mockResolvedValueOnce({ items: [customer], next_cursor: null });
    await open(UsersScreen);
    await findTestId('user-row-2');
    expect(isDisabled(`user-role-${admin.id}-agent`)).toBe(true);
    expect(queryTestId(`user-disable-${admin.id}`)).toBeNull();
    await press('users-more');
    await findTestId('user-row-3');
    expect(mocked.listUsers).toHaveBeenLastCalledWith('', 2);
    expect(queryTestId('users-more')).toBeNull();
  });

  it('changes a role and disables an account, showing the answer in place', async () => {
    mocked.listUsers.mockResolvedValue({ items: [agent], next_cursor: null });
    mocked.updateUser
      .mockResolvedValueOnce({ ...agent, role: 'admin' })
      .mockResolvedValueOnce({ ...agent, role: 'admin', disabled: true });
    await open(UsersScreen);
    await findTestId('user-row-2');
    await press('user-role-2-admin');
    expect(mocked.updateUser).toHaveBeenCalledWith(2, { role: 'admin' });
    await press('user-disable-2');
    expect(mocked.updateUser).toHaveBeenLastCalledWith(2, { disabled: true });
    await findTestId('user-disabled-2');
  });

  it('invites an agent: field errors, a taken email, then the one-time link', async () => {
    mocked.listUsers.mockResolvedValue({ items: [admin], next_cursor: null });
    mocked.createUser
      .mockRejectedValueOnce(apiError(409, { code: 'email_taken', message: 'email taken' }))
      .mockResolvedValueOnce({
        user: zed,
        invite: { token: 'tok.en.value', expires_at: Date.now() + 7 * 86_400_000 },
      });
    await open(UsersScreen);
    await findTestId('user-row-9');
    await press('users-invite');
    await typeInto('invite-email', 'zed@example.com');
    await typeInto('invite-name', 'Zed');
    await press('invite-submit');
    await findTestId('invite-email-error');
    expect(mocked.createUser).toHaveBeenCalledWith({
      email: 'zed@example.com',
      display_name: 'Zed',
      role: 'agent',
    });
    await press('invite-submit');
    await findTestId('invite-card');
    expect(valueOf('invite-link')).toMatch(/\/accept-invite#tok\.en\.value$/);
    expect(valueOf('invite-code')).toBe('tok.en.value');
    expect(queryTestId('invite-form')).toBeNull();
    await press('invite-done');
    expect(queryTestId('invite-card')).toBeNull();
  });
});

describe('Teams screen', () => {
  const billing: Team = { id: 5, name: 'Billing', members: [] };

  it('creates a team, and says so when the name is taken', async () => {
    tickets.listTeams.mockResolvedValue([]);
    mocked.createTeam
      .mockRejectedValueOnce(apiError(409, { code: 'conflict', message: 'exists' }))
      .mockResolvedValueOnce(billing);
    await open(TeamsScreen);
    await findTestId('teams-empty');
    await typeInto('teams-name', 'Billing');
    await press('teams-create');
    await findTestId('teams-name-error');
    tickets.listTeams.mockResolvedValue([billing]);
    await press('teams-create');
    await findTestId('team-5');
    expect(valueOf('teams-name')).toBe('');
  });

  it('adds only agents, removes members, renames and deletes', async () => {
    tickets.listTeams.mockResolvedValue([billing]);
    mocked.listUsers.mockResolvedValue({ items: [admin, customer, zed], next_cursor: null });
    mocked.addTeamMember.mockResolvedValue({ ...billing, members: [zed] });
    await open(TeamsScreen);
    await findTestId('team-5-add');
    await press('team-5-add');
    await findTestId('team-5-pick-10');
    expect(queryTestId('team-5-pick-3')).toBeNull();
    tickets.listTeams.mockResolvedValue([{ ...billing, members: [zed] }]);
    await press('team-5-pick-10');
    expect(mocked.addTeamMember).toHaveBeenCalledWith(5, 10);
    await findTestId('team-5-member-10');
    await waitFor(() => expect(queryTestId('team-5-pick-10')).toBeNull());

    await press('team-5-picker-close');
    tickets.listTeams.mockResolvedValue([{ ...billing, name: 'Money', members: [zed] }]);
    mocked.renameTeam.mockResolvedValue({ ...billing, name: 'Money', members: [zed] });
    await press('team-5-rename');
    await typeInto('team-5-name', 'Money');
    await press('team-5-rename-save');
    expect(mocked.renameTeam).toHaveBeenCalledWith(5, 'Money');
    await waitFor(() => expect(textOf('team-5')).toContain('Money'));

    tickets.listTeams.mockResolvedValue([{ ...billing, members: [] }]);
    await press('team-5-remove-10');
    expect(mocked.removeTeamMember).toHaveBeenCalledWith(5, 10);
    await waitFor(() => expect(queryTestId('team-5-member-10')).toBeNull());

    tickets.listTeams.mockResolvedValue([]);
    await press('team-5-delete');
    await press('team-5-delete-confirm');
    expect(mocked.deleteTeam).toHaveBeenCalledWith(5);
    await findTestId('teams-empty');
  });
});

describe('Accept invite screen', () => {
  // Signing in schedules the access token's refresh: a timer that would keep jest alive.
  afterEach(() => cancelProactiveRefresh());

  it('shows the server’s field error for a spent invite, then signs in', async () => {
    mocked.acceptInvite
      .mockRejectedValueOnce(
        apiError(400, {
          code: 'validation_failed',
          message: 'validation failed',
          fields: { token: 'this invite is not valid' },
        }),
      )
      .mockResolvedValueOnce({
        user: zed,
        access_token: 'a',
        refresh_token: 'r',
        token_type: 'bearer',
        expires_in: 900,
      });
    const store = makeStore();
    await renderScreen(AcceptInviteScreen, { store });
    await typeInto('accept-invite-token', 'tok.en');
    await typeInto('accept-invite-password', 'a fresh passphrase');
    await press('accept-invite-submit');
    await findTestId('accept-invite-token-error');
    await press('accept-invite-submit');
    await waitFor(() => expect(store.getState().auth.status).toBe('signedIn'));
    expect(mocked.acceptInvite).toHaveBeenLastCalledWith('tok.en', 'a fresh passphrase');
  });
});
