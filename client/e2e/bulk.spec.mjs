import { apiAs, assert, launchBrowser, newPerson, shot, signIn, startServer } from './lib.mjs';

const AGENT = { email: 'agent@example.com', password: 'agent password 1', displayName: 'Wes Work' };
const CUSTOMER = { email: 'rae@example.com', password: 'rae password 1', displayName: 'Rae Ramos' };

export const tests = {
  async 'bulk: an agent assigns 3 tickets at once; a saved view counts them live'() {
    const server = await startServer('bulk');
    server.createUser({ ...AGENT, role: 'agent' });
    const { browser, close } = await launchBrowser();
    try {
      await fetch(`${server.baseURL}/api/v1/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          email: CUSTOMER.email,
          display_name: CUSTOMER.displayName,
          password: CUSTOMER.password,
        }),
      });
      const tickets = [];
      for (const [subject, priority] of [
        ['Printer jams', 'low'],
        ['VPN drops', 'urgent'],
        ['Mail bounces', 'high'],
        ['Chair squeaks', 'low'],
      ]) {
        const { data } = await apiAs(server.baseURL, CUSTOMER, 'POST', '/tickets', {
          subject,
          body: `${subject} since Monday.`,
          priority,
        });
        tickets.push(data);
      }
      const chosen = tickets.slice(0, 3);

      const agent = await newPerson(browser, server.baseURL, {
        viewport: { width: 1440, height: 900 },
      });
      await signIn(agent.page, AGENT);
      const page = agent.page;
      for (const tk of tickets) await page.getByTestId(`ticket-row-${tk.number}`).waitFor();

      // A saved view: my tickets, soonest SLA first. Empty for now.
      await page.getByTestId('tickets-tab-mine').click();
      await page.getByTestId('tickets-sort-sla').click();
      await page.getByTestId('tickets-view-new').click();
      await page.getByTestId('tickets-view-name').fill('Mine by SLA');
      await page.getByTestId('tickets-view-save').click();
      const viewChip = page.getByTestId(/^tickets-view-[0-9a-f-]{36}$/);
      await viewChip.filter({ hasText: 'Mine by SLA · 0' }).waitFor();

      // Back to the queue: select three, assign them to me in one go.
      await page.getByTestId('tickets-tab-queue').click();
      await page.getByTestId('tickets-select').click();
      for (const tk of chosen) await page.getByTestId(`ticket-check-${tk.number}`).click();
      assert(
        (await page.getByTestId('tickets-bulk-count').textContent()) === '3 selected',
        'three selected',
      );
      await shot(page, 'bulk-selected');
      await page.getByTestId('tickets-bulk-assign-me').click();
      await page
        .getByTestId('tickets-bulk-summary')
        .filter({ hasText: 'Updated 3 of 3.' })
        .waitFor();
      // They leave the unassigned queue; the fourth stays.
      for (const tk of chosen)
        await page.getByTestId(`ticket-row-${tk.number}`).waitFor({ state: 'detached' });
      await page.getByTestId(`ticket-row-${tickets[3].number}`).waitFor();
      // The view's count followed, live.
      await viewChip.filter({ hasText: 'Mine by SLA · 3' }).waitFor();
      await shot(page, 'bulk-assigned');

      // The server agrees, one change (and one history entry) per ticket.
      const { data: me } = await apiAs(server.baseURL, AGENT, 'GET', '/users/me');
      for (const tk of chosen) {
        const { data } = await apiAs(server.baseURL, AGENT, 'GET', `/tickets/${tk.id}`);
        assert(data.assignee?.id === me.id, `#${tk.number} assigned to ${data.assignee?.id}`);
        const { data: events } = await apiAs(
          server.baseURL,
          AGENT,
          'GET',
          `/tickets/${tk.id}/events`,
        );
        assert(
          events.items.filter((e) => e.field === 'assignee').length === 1,
          `#${tk.number} assigned once`,
        );
      }
      const { data: rest } = await apiAs(server.baseURL, AGENT, 'GET', `/tickets/${tickets[3].id}`);
      assert(rest.assignee == null, 'the unselected ticket is untouched');

      // The saved view opens the three, soonest due first (urgent 1 h, high 4 h, low 24 h).
      await page.getByTestId('tickets-select').click();
      await viewChip.click();
      const rows = page.getByTestId(/^ticket-row-\d+$/);
      await rows.nth(2).waitFor();
      const order = await rows.evaluateAll((els) => els.map((e) => e.dataset.testid));
      assert(
        JSON.stringify(order) ===
          JSON.stringify([tickets[1], tickets[2], tickets[0]].map((t) => `ticket-row-${t.number}`)),
        `SLA order ${order}`,
      );
      // Saved on this device: still there after a reload.
      await page.reload();
      await viewChip.filter({ hasText: 'Mine by SLA · 3' }).waitFor();
      assert(agent.errors.length === 0, `page errors: ${agent.errors}`);
    } finally {
      await close();
      await server.stop();
    }
  },
};
