import { apiAs, assert, launchBrowser, newPerson, shot, signIn, startServer } from './lib.mjs';

const ADMIN = { email: 'ada@example.com', password: 'admin password 1', displayName: 'Ada Admin' };
const AGENT = { email: 'al@example.com', password: 'agent password 1', displayName: 'Al Agent' };
const CUSTOMER = { email: 'cy@example.com', password: 'customer password 1', displayName: 'Cy' };

/** Three tickets today: all answered by Al in team Billing, two closed, one of those rated 4. */
async function seed(baseURL) {
  const { data: team } = await apiAs(baseURL, ADMIN, 'POST', '/teams', { name: 'Billing' });
  const { user: al } = await apiAs(baseURL, AGENT);
  await apiAs(baseURL, ADMIN, 'POST', `/teams/${team.id}/members`, { user_id: al.id });
  for (let i = 1; i <= 3; i += 1) {
    const { data: t } = await apiAs(baseURL, CUSTOMER, 'POST', '/tickets', {
      subject: `Invoice ${i}`,
      body: 'It is wrong',
    });
    let { data: now } = await apiAs(baseURL, ADMIN, 'PATCH', `/tickets/${t.id}`, {
      version: t.version,
      assignee_id: al.id,
      team_id: team.id,
    });
    await apiAs(baseURL, AGENT, 'POST', `/conversations/${t.conversation_id}/messages`, {
      body: 'Looking into it',
      client_id: crypto.randomUUID(),
    });
    if (i < 3) {
      ({ data: now } = await apiAs(baseURL, ADMIN, 'GET', `/tickets/${t.id}`));
      await apiAs(baseURL, AGENT, 'PATCH', `/tickets/${t.id}`, {
        version: now.version,
        status: 'closed',
      });
    }
    if (i === 1) {
      await apiAs(baseURL, CUSTOMER, 'POST', `/tickets/${t.id}/csat`, { score: 4 });
    }
  }
  return { team, al };
}

export const tests = {
  async 'an admin sees the dashboard: numbers, drawn charts and filters, readable in dark mode'() {
    const server = await startServer('dashboard');
    server.createUser({ ...ADMIN, role: 'admin' });
    server.createUser({ ...AGENT, role: 'agent' });
    server.createUser({ ...CUSTOMER, role: 'customer' });
    const { team, al } = await seed(server.baseURL);
    const { browser, close } = await launchBrowser();
    try {
      const ada = await newPerson(browser, server.baseURL, { colorScheme: 'dark' });
      const { page } = ada;
      await signIn(page, ADMIN);
      await page.getByTestId('tab-profile').click();
      await page.getByTestId('profile-admin').click();
      await page.getByTestId('admin-dashboard').click();
      await page.getByTestId('dashboard-report').waitFor();

      const value = (id) => page.getByTestId(`${id}-value`).innerText();
      assert((await value('stat-opened')) === '3', `opened: ${await value('stat-opened')}`);
      assert((await value('stat-closed')) === '2', 'closed');
      assert((await value('stat-backlog')) === '1', 'backlog');
      assert((await value('stat-sla-first')) === '100%', 'answered within the target');
      assert((await value('stat-csat')) === '4.00', 'one rating of 4');

      // The charts are drawn: SVG with a bar per day and series, and a line.
      const volumeSvg = page.getByTestId('chart-volume').locator('svg');
      assert((await volumeSvg.count()) > 0, 'the volume chart has an svg');
      const bars = await page.getByTestId('chart-volume').locator('svg rect, svg path').count();
      assert(bars > 2, `bars drawn: ${bars}`);
      const line = await page.getByTestId('chart-backlog').locator('svg path').count();
      assert(line > 0, 'the backlog line is drawn');

      // Dark mode: the figures are written in the theme's light text colour on a dark card.
      const color = await page
        .getByTestId('stat-opened-value')
        .evaluate((el) => getComputedStyle(el).color);
      assert(color === 'rgb(238, 240, 244)', `dark theme text colour, got ${color}`);

      // Filters: a team, then an agent, then a shorter range ask the server again.
      await page.getByTestId(`dashboard-team-${team.id}`).click();
      await page.getByTestId(`dashboard-agents-${al.id}`).waitFor();
      await page.getByTestId(`dashboard-agent-${al.id}`).click();
      await page.getByTestId('dashboard-range-7').click();
      await page.getByTestId('dashboard-report').waitFor();
      assert((await value('stat-opened')) === '3', 'all three are Al’s, in Billing, this week');
      await shot(page, 'dashboard-dark');
      assert(ada.errors.length === 0, `page errors: ${ada.errors}`);
    } finally {
      await close();
      await server.stop();
    }
  },
};
