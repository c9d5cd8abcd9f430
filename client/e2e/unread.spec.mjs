import {
  apiAs,
  assert,
  launchBrowser,
  newPerson,
  register,
  shot,
  signIn,
  startServer,
} from './lib.mjs';

const AGENT = {
  email: 'agent@example.com',
  password: 'agent password 1',
  displayName: 'Ana Agent',
};
const CAROL = {
  email: 'carol@example.com',
  displayName: 'Carol Customer',
  password: 'carol password 1',
};

/** Waits until the tab's accessible name is `label` ("Tickets, 2 unread", or "Tickets"). */
async function tabLabel(page, testId, label) {
  const tab = page.getByTestId(testId);
  const deadline = Date.now() + 15_000;
  let now = await tab.getAttribute('aria-label');
  while (now !== label) {
    if (Date.now() > deadline) throw new Error(`${testId} is "${now}", not "${label}"`);
    await page.waitForTimeout(100);
    now = await tab.getAttribute('aria-label');
  }
}

export const tests = {
  async 'a customer writes, the agent sees the badge on every device, and opening it clears them all'() {
    const server = await startServer('unread');
    server.createUser({ ...AGENT, role: 'agent' });
    const { browser, close } = await launchBrowser();
    try {
      // Carol opens a ticket; the agent takes it (assigned tickets count for their agent).
      const customer = await newPerson(browser, server.baseURL);
      await register(customer.page, CAROL);
      await customer.page.getByTestId('tickets-new').click();
      const form = customer.page.getByTestId('new-ticket-screen');
      await form.getByLabel('Subject', { exact: true }).fill('Parcel never arrived');
      await form.getByLabel('Message', { exact: true }).fill('Ordered two weeks ago.');
      await form.getByTestId('new-ticket-submit').click();
      const subject = customer.page.getByTestId('ticket-subject');
      await subject.waitFor();
      const number = (await subject.textContent()).match(/#(\d+)/)[1];
      const { user: agentUser, data: queue } = await apiAs(
        server.baseURL,
        AGENT,
        'GET',
        '/tickets?assignee=none',
      );
      const ticket = queue.items.find((t) => String(t.number) === number);
      await apiAs(server.baseURL, AGENT, 'PATCH', `/tickets/${ticket.id}`, {
        version: ticket.version,
        assignee_id: agentUser.id,
        status: 'in_progress',
      });

      // The agent on a desk (workspace) and on a phone in dark mode.
      const desk = await newPerson(browser, server.baseURL);
      const phone = await newPerson(browser, server.baseURL, {
        colorScheme: 'dark',
        viewport: { width: 400, height: 800 },
      });
      await signIn(desk.page, AGENT);
      await signIn(phone.page, AGENT);
      for (const page of [desk.page, phone.page])
        await page.getByTestId('tickets-tab-mine').click();
      // Taking the ticket read what came before (the change is the agent's own message).
      await desk.page.getByTestId(`ticket-row-${number}`).waitFor();
      await tabLabel(desk.page, 'tab-tickets', 'Tickets');

      // Carol writes: both devices count it live.
      const input = customer.page.getByLabel('Message', { exact: true });
      await input.fill('Any news on this?');
      await customer.page.getByTestId('composer-send').click();
      await tabLabel(desk.page, 'tab-tickets', 'Tickets, 1 unread');
      await tabLabel(phone.page, 'tab-tickets', 'Tickets, 1 unread');
      await input.fill('Hello?');
      await customer.page.getByTestId('composer-send').click();
      await tabLabel(desk.page, 'tab-tickets', 'Tickets, 2 unread');
      await tabLabel(phone.page, 'tab-tickets', 'Tickets, 2 unread');
      const row = phone.page.getByTestId(`ticket-unread-${number}`);
      await row.waitFor();
      assert((await row.textContent()) === '2', 'the row shows 2');
      assert(
        (await row.getAttribute('aria-label')) === '2 unread',
        'the row badge has an accessible label',
      );
      await desk.page.getByTestId(`ticket-unread-${number}`).waitFor();
      await shot(phone.page, 'unread-badges-dark');
      await shot(desk.page, 'unread-badges-light');

      // The agent opens it on the desk: the badge goes there and on the phone.
      await desk.page.getByTestId(`ticket-row-${number}`).click();
      await desk.page.getByTestId('ticket-pane').waitFor();
      await tabLabel(desk.page, 'tab-tickets', 'Tickets');
      await tabLabel(phone.page, 'tab-tickets', 'Tickets');
      await phone.page.getByTestId(`ticket-unread-${number}`).waitFor({ state: 'detached' });

      // The agent's reply is unread for Carol until she looks (she is on the ticket: it isn't).
      await customer.page.goBack();
      await customer.page.getByTestId('tab-tickets').waitFor();
      const pane = desk.page.getByTestId('ticket-pane');
      await pane.getByLabel('Message', { exact: true }).fill('It is on its way again.');
      await pane.getByTestId('composer-send').click();
      await tabLabel(customer.page, 'tab-tickets', 'Tickets, 1 unread');
      await customer.page.getByTestId(`ticket-row-${number}`).click();
      await tabLabel(customer.page, 'tab-tickets', 'Tickets');

      const errors = [...customer.errors, ...desk.errors, ...phone.errors];
      assert(errors.length === 0, `page errors: ${errors}`);
    } finally {
      await close();
      await server.stop();
    }
  },
};
