import {
  assert,
  launchBrowser,
  newPerson,
  openTicket,
  register,
  shot,
  signIn,
  startServer,
} from './lib.mjs';

const AGENT = { email: 'agent@example.com', password: 'agent password 1', displayName: 'Agent' };

/** Bubbles (not pending copies) in the open conversation whose text contains `text`. */
export const bubbles = (page, text) => page.getByTestId(/^message-\d+$/).filter({ hasText: text });

export const tests = {
  async 'a customer opens a ticket; the agent sees it live, takes it and replies; the customer sees it live'() {
    const server = await startServer('tickets');
    server.createUser({ ...AGENT, role: 'agent' });
    const { browser, close } = await launchBrowser();
    try {
      // The agent works in dark mode, the customer in light: screenshots of both themes.
      const agent = await newPerson(browser, server.baseURL, { colorScheme: 'dark' });
      await signIn(agent.page, AGENT);
      await agent.page.getByTestId('tickets-tab-queue').waitFor();
      await agent.page.getByTestId('tickets-empty').waitFor();

      const customer = await newPerson(browser, server.baseURL);
      await register(customer.page, {
        email: 'carol@example.com',
        displayName: 'Carol Customer',
        password: 'carol password 1',
      });
      const number = await openTicket(customer.page, {
        subject: 'Cannot log in to the billing portal',
        body: 'Since this morning the portal says my password is wrong.',
        priority: 'high',
      });
      await bubbles(customer.page, 'Since this morning').first().waitFor();

      // Live in the agent's queue, no reload.
      const row = agent.page.getByTestId(`ticket-row-${number}`);
      await row.waitFor();
      assert(
        (await agent.page.getByTestId('tickets-count-open').textContent()).includes('1'),
        'open count is live',
      );
      await shot(agent.page, 'agent-queue-dark');

      await row.click();
      await agent.page.getByTestId('ticket-take').click();
      await agent.page.getByTestId('ticket-status').filter({ hasText: 'In progress' }).waitFor();
      // 1100 px wide: the agent's workspace opens the ticket next to the list.
      const composer = agent.page.getByTestId('ticket-pane');
      await composer
        .getByLabel('Message', { exact: true })
        .fill('Hi Carol, I reset your portal password. Try again?');
      await composer.getByTestId('composer-send').click();
      await bubbles(agent.page, 'I reset your portal password').first().waitFor();

      // An internal note: visible to the agent, never to the customer.
      await agent.page.getByTestId('composer-mode-note').click();
      await composer.getByLabel('Message', { exact: true }).fill('Note: second reset this month.');
      await composer.getByTestId('composer-send').click();
      await bubbles(agent.page, 'second reset this month').first().waitFor();
      await shot(agent.page, 'agent-ticket-dark');
      // History lists who changed what.
      await agent.page.getByTestId('ticket-history-toggle').click();
      await agent.page
        .getByTestId('ticket-history')
        .filter({ hasText: 'Agent changed status: Open → In progress' })
        .waitFor();

      // The customer sees the reply and the status change live.
      await bubbles(customer.page, 'I reset your portal password').first().waitFor();
      await customer.page.getByTestId('ticket-status').filter({ hasText: 'In progress' }).waitFor();
      await customer.page.getByTestId('ticket-assignee').filter({ hasText: 'Agent' }).waitFor();
      await customer.page.waitForTimeout(1000);
      assert(
        (await bubbles(customer.page, 'second reset this month').count()) === 0,
        'notes never reach the customer',
      );
      assert(
        (await bubbles(customer.page, 'I reset your portal password').count()) === 1,
        'reply shown once',
      );
      await shot(customer.page, 'customer-ticket-light');

      // The customer's list shows the ticket with its status.
      await customer.page.goBack();
      await customer.page
        .getByTestId(`ticket-status-${number}`)
        .filter({ hasText: 'In progress' })
        .waitFor();
      await shot(customer.page, 'customer-tickets-light');

      // The agent was notified of the new ticket in the queue.
      await agent.page.getByTestId('tab-notifications').click();
      await agent.page
        .getByTestId(/^notification-\d+$/)
        .first()
        .waitFor();
      await shot(agent.page, 'agent-notifications-dark');
      assert(
        agent.errors.length === 0 && customer.errors.length === 0,
        `page errors: ${[...agent.errors, ...customer.errors]}`,
      );
    } finally {
      await close();
      await server.stop();
    }
  },
  async 'the New ticket form: priority chips are chip-sized and labelled, on a phone and a desktop'() {
    const server = await startServer('new-ticket-form');
    const { browser, close } = await launchBrowser();
    try {
      for (const viewport of [
        { width: 390, height: 844 },
        { width: 1440, height: 900 },
      ]) {
        const person = await newPerson(browser, server.baseURL, { viewport });
        await register(person.page, {
          email: `form${viewport.width}@example.com`,
          displayName: `Form ${viewport.width}`,
          password: 'form password 1',
        });
        await person.page.getByTestId('tickets-new').click();
        const form = person.page.getByTestId('new-ticket-screen');
        await form
          .getByTestId('new-ticket-priority-label')
          .filter({ hasText: 'Priority' })
          .waitFor();
        for (const p of ['low', 'medium', 'high', 'urgent']) {
          const chip = await form.getByTestId(`new-ticket-priority-${p}`).boundingBox();
          assert(chip.height < 60, `${p} chip at ${viewport.width} px is ${chip.height} px tall`);
        }
        const medium = form.getByTestId('new-ticket-priority-medium');
        assert((await medium.getAttribute('aria-checked')) === 'true', 'the selected chip says so');
        await form.getByTestId('new-ticket-priority-high').click();
        assert((await medium.getAttribute('aria-checked')) === 'false', 'and the others not');
        await shot(person.page, `new-ticket-form-${viewport.width}`);
        assert(person.errors.length === 0, `page errors: ${person.errors}`);
        await person.context.close();
      }
    } finally {
      await close();
      await server.stop();
    }
  },
};
