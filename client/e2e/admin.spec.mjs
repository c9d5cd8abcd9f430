import {
  apiAs,
  assert,
  launchBrowser,
  newPerson,
  openTicket,
  register,
  shot,
  signIn,
  startServer,
} from './lib.mjs';

const ADMIN = {
  email: 'admin@example.com',
  password: 'admin password 1',
  displayName: 'Ada Admin',
};
const ZED = { email: 'zed@example.com', displayName: 'Zed Agent', password: 'zed chooses this' };
const TEAM = 'Night shift';
const CAROL = { email: 'carol@example.com', displayName: 'Carol', password: 'carol password 1' };

export const tests = {
  async 'an admin invites an agent and puts them in a team; the agent gets in and sees it'() {
    const server = await startServer('admin');
    server.createUser({ ...ADMIN, role: 'admin' });
    const { browser, close } = await launchBrowser();
    try {
      // The admin works in dark mode: the screens use the theme's colours.
      const admin = await newPerson(browser, server.baseURL, { colorScheme: 'dark' });
      const page = admin.page;
      await signIn(page, ADMIN);
      await page.getByTestId('tab-profile').click();
      await page.getByTestId('profile-admin').click();
      await page.getByTestId('admin-users-link').click();
      const users = page.getByTestId('admin-users');
      await users.getByText(ADMIN.email).waitFor();

      // Invite Zed as an agent (the form's default role).
      await users.getByTestId('users-invite').click();
      await users.getByLabel('Email', { exact: true }).fill(ZED.email);
      await users.getByLabel('Display name', { exact: true }).fill(ZED.displayName);
      await users.getByTestId('invite-submit').click();
      const link = await users.getByTestId('invite-link').inputValue();
      assert(link.startsWith(`${server.baseURL}/accept-invite#`), `an invite link: ${link}`);
      await shot(page, 'admin-users-invite');
      await users.getByTestId('invite-done').click();
      await users.getByText(ZED.email).waitFor();

      // A team with Zed in it, from the Teams screen (its own URL).
      await page.goto('/admin/teams');
      const teams = page.getByTestId('admin-teams');
      await teams.getByLabel('Team name', { exact: true }).fill(TEAM);
      await teams.getByTestId('teams-create').click();
      const card = teams.getByTestId(/^team-\d+$/).filter({ hasText: TEAM });
      await card.waitFor();
      const id = (await card.getAttribute('data-testid')).replace('team-', '');
      await card.getByTestId(`team-${id}-add`).click();
      await card.getByTestId(`team-${id}-search`).fill('zed');
      await card.getByLabel(`Add ${ZED.displayName} to ${TEAM}`).click();
      await card
        .getByTestId(/^team-\d+-member-\d+$/)
        .filter({ hasText: ZED.displayName })
        .waitFor();
      await shot(page, 'admin-teams');

      // Zed opens the link in their own browser, chooses a password and is signed in.
      const zed = await newPerson(browser, server.baseURL);
      await zed.page.goto(link);
      const form = zed.page.getByTestId('accept-invite-screen');
      assert(
        (await form.getByTestId('accept-invite-token').inputValue()).length > 20,
        'the code comes from the link',
      );
      assert(!zed.page.url().includes('#'), 'the token left the address bar');
      await form.getByLabel('Password', { exact: true }).fill(ZED.password);
      await form.getByTestId('accept-invite-submit').click();
      await zed.page.getByTestId('tab-tickets').waitFor();
      await zed.page.getByTestId('tickets-tab-queue').waitFor();

      // The link is spent; Zed signs in with the password like anyone else and sees the team.
      const again = await newPerson(browser, server.baseURL);
      await again.page.goto(link);
      await again.page.getByLabel('Password', { exact: true }).fill('someone else 123');
      await again.page.getByTestId('accept-invite-submit').click();
      await again.page.getByTestId('accept-invite-token-error').waitFor();

      const later = await newPerson(browser, server.baseURL);
      await signIn(later.page, ZED);
      await later.page.getByTestId('tab-profile').click();
      await later.page.getByTestId('profile-teams').filter({ hasText: TEAM }).waitFor();
      assert((await later.page.getByTestId('profile-admin').count()) === 0, 'not an admin');

      // The admin sets the team to round-robin and makes it the intake: new tickets open in it.
      await page.goto('/admin/routing');
      const routing = page.getByTestId('routing-screen');
      await routing.getByTestId('routing-rule-round_robin').click();
      await routing.getByTestId('routing-intake-yes').click();
      await routing.getByTestId('routing-save').click();
      await routing.getByTestId('routing-message').filter({ hasText: 'Saved' }).waitFor();
      await shot(page, 'admin-routing');

      // A customer opens a ticket in the app: it opens in the team and routing gives it to
      // Zed, the one online agent of the team, at once; Zed's queue shows it as his without a
      // reload.
      await later.page.getByTestId('tab-tickets').click();
      await later.page.getByTestId('tickets-tab-mine').click();
      const carol = await newPerson(browser, server.baseURL);
      await register(carol.page, CAROL);
      const ticket = {
        number: await openTicket(carol.page, {
          subject: 'Invoice is wrong',
          body: 'The amount on my last invoice is doubled.',
          priority: 'high',
        }),
      };
      const { data: mine } = await apiAs(server.baseURL, ZED, 'GET', '/tickets?assignee=me');
      const routed = mine.items.find((t) => String(t.number) === ticket.number);
      assert(routed, `routed to Zed: ${JSON.stringify(mine)}`);
      assert(routed.team?.name === TEAM, `opened in the intake team: ${JSON.stringify(routed)}`);
      await later.page
        .getByTestId(`ticket-row-${ticket.number}`)
        .filter({ hasText: ZED.displayName })
        .waitFor();
      await shot(later.page, 'agent-routed-ticket');
      for (const p of [admin, zed, again, later, carol]) {
        assert(p.errors.length === 0, `page errors: ${p.errors}`);
      }
    } finally {
      await close();
      await server.stop();
    }
  },
};
