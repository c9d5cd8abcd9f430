import { apiAs, assert, launchBrowser, newPerson, shot, signIn, startServer } from './lib.mjs';
import { bubbles } from './tickets.spec.mjs';

const AGENT = { email: 'agent@example.com', password: 'agent password 1', displayName: 'Wes Work' };
const CUSTOMER = { email: 'rae@example.com', password: 'rae password 1', displayName: 'Rae Ramos' };

export const tests = {
  async 'pending: waiting on the customer pauses the clock; the customer writes and it is open again, the clock resumed'() {
    const server = await startServer('pending');
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
      const { data: tk } = await apiAs(server.baseURL, CUSTOMER, 'POST', '/tickets', {
        subject: 'Refund for order 7',
        body: 'I was charged twice for order 7.',
        priority: 'high',
      });
      // The due times are the desk's: the customer's copy has none, staff read them.
      assert(tk.sla === undefined, `customer's copy carries sla: ${JSON.stringify(tk.sla)}`);
      const { data: staffView } = await apiAs(server.baseURL, AGENT, 'GET', `/tickets/${tk.id}`);
      const dueBefore = Date.parse(staffView.sla.resolution_due);

      const agent = await newPerson(browser, server.baseURL, {
        viewport: { width: 1440, height: 900 },
      });
      await signIn(agent.page, AGENT);
      await agent.page.getByTestId(`ticket-row-${tk.number}`).click();
      const pane = agent.page.getByTestId('ticket-pane');
      await pane.getByTestId('ticket-take').click();
      await pane.getByTestId('ticket-status').filter({ hasText: 'In progress' }).waitFor();
      await pane.getByLabel('Message', { exact: true }).fill('Which card was charged?');
      await pane.getByTestId('composer-send').click();
      await bubbles(agent.page, 'Which card was charged?').first().waitFor();

      // Waiting on the customer: the resolution clock stops, in the header and in the list.
      await pane.getByTestId('ticket-set-status-pending').click();
      await pane.getByTestId('ticket-status').filter({ hasText: 'Waiting on customer' }).waitFor();
      await pane.getByTestId('ticket-sla-paused').waitFor();
      // Taken, it left the unassigned queue: it is under Mine.
      await agent.page.getByTestId('tickets-tab-mine').click();
      await agent.page
        .getByTestId(`ticket-sla-${tk.number}`)
        .filter({ hasText: 'paused' })
        .waitFor();
      await shot(agent.page, 'pending-paused');
      const { data: parked } = await apiAs(server.baseURL, AGENT, 'GET', `/tickets/${tk.id}`);
      assert(parked.status === 'pending', `status ${parked.status}`);
      assert(parked.sla.resolution_paused_since, 'the pause is reported');
      await agent.page.waitForTimeout(1500);

      // The customer answers from their phone.
      const customer = await newPerson(browser, server.baseURL, {
        viewport: { width: 390, height: 844 },
      });
      await signIn(customer.page, CUSTOMER);
      await customer.page.getByTestId(`ticket-row-${tk.number}`).click();
      await customer.page
        .getByTestId('ticket-status')
        .filter({ hasText: 'Waiting on customer' })
        .waitFor();
      assert(
        (await customer.page.getByTestId('ticket-sla').count()) === 0,
        'the customer sees no due times',
      );
      await customer.page.getByLabel('Message', { exact: true }).fill('The Visa ending 4242.');
      await customer.page.getByTestId('composer-send').click();
      await bubbles(customer.page, 'The Visa ending 4242.').first().waitFor();

      // Live for the agent: open again, the clock running, the reason in the conversation.
      await pane.getByTestId('ticket-status').filter({ hasText: 'Open' }).waitFor();
      await pane.getByTestId('ticket-sla-resolution').waitFor();
      assert((await pane.getByTestId('ticket-sla-paused').count()) === 0, 'no longer paused');
      await agent.page.getByTestId(`ticket-sla-${tk.number}`).filter({ hasText: 'left' }).waitFor();
      await bubbles(agent.page, 'Rae Ramos replied: the ticket is open again').first().waitFor();
      await bubbles(agent.page, 'The Visa ending 4242.').first().waitFor();
      await customer.page.getByTestId('ticket-status').filter({ hasText: 'Open' }).waitFor();

      // The clock resumed where it stopped: the due time moved by exactly the pause.
      const { data: after } = await apiAs(server.baseURL, AGENT, 'GET', `/tickets/${tk.id}`);
      const paused = Date.parse(after.updated_at) - Date.parse(parked.sla.resolution_paused_since);
      assert(paused >= 1500, `paused for ${paused} ms`);
      assert(
        Date.parse(after.sla.resolution_due) - dueBefore === paused,
        `due moved ${Date.parse(after.sla.resolution_due) - dueBefore} ms for a ${paused} ms pause`,
      );
      assert(after.sla.resolution_paused_since == null, 'running again');
      await shot(agent.page, 'pending-reopened');
      assert(
        agent.errors.length === 0 && customer.errors.length === 0,
        `page errors: ${[...agent.errors, ...customer.errors]}`,
      );
    } finally {
      await close();
      await server.stop();
    }
  },
};
