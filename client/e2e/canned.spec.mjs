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
import { bubbles } from './tickets.spec.mjs';

const AGENT = {
  email: 'agent@example.com',
  password: 'agent password 1',
  displayName: 'Ana Agent',
};
const BODY =
  'Hi {{customer.name}}, the refund for ticket #{{ticket.number}} is on its way. {{agent.name}}';

export const tests = {
  async 'an agent saves a canned response, inserts it with /shortcut filled in for the ticket, and the customer gets it'() {
    const server = await startServer('canned');
    server.createUser({ ...AGENT, role: 'agent' });
    const { browser, close } = await launchBrowser();
    try {
      const agent = await newPerson(browser, server.baseURL);
      await signIn(agent.page, AGENT);

      // Profile → Canned responses → a new one with all three placeholders.
      await agent.page.getByTestId('tab-profile').click();
      await agent.page.getByTestId('profile-canned').click();
      const screen = agent.page.getByTestId('canned-screen');
      await screen.getByTestId('canned-new').click();
      // Agents (not admins) are never offered to share with the desk.
      assert((await screen.getByTestId('canned-form-shared').count()) === 0, 'no shared switch');
      await screen.getByLabel('Shortcut', { exact: true }).fill('refund');
      await screen.getByLabel('Title', { exact: true }).fill('Refund on its way');
      await screen.getByLabel('Text', { exact: true }).fill(BODY);
      await screen.getByTestId('canned-form-save').click();
      await screen
        .getByTestId(/^canned-row-\d+$/)
        .filter({ hasText: '/refund' })
        .waitFor();
      await shot(agent.page, 'canned-responses');

      // A customer's ticket.
      const customer = await newPerson(browser, server.baseURL);
      await register(customer.page, {
        email: 'carol@example.com',
        displayName: 'Carol Customer',
        password: 'carol password 1',
      });
      const number = await openTicket(customer.page, {
        subject: 'Where is my refund?',
        body: 'I returned the parcel last week.',
      });

      // The agent opens it and types /ref: the list offers the response; Enter inserts it.
      await agent.page.goBack();
      await agent.page.getByTestId('tab-tickets').click();
      await agent.page.getByTestId(`ticket-row-${number}`).click();
      const pane = agent.page.getByTestId('ticket-pane');
      const input = pane.getByLabel('Message', { exact: true });
      await input.click();
      await input.pressSequentially('/ref');
      const option = pane.getByTestId(/^composer-canned-\d+$/).filter({ hasText: '/refund' });
      await option.waitFor();
      assert((await option.getAttribute('aria-selected')) === 'true', 'first match highlighted');
      await shot(agent.page, 'canned-picker');
      await agent.page.keyboard.press('Enter');
      const expected = `Hi Carol Customer, the refund for ticket #${number} is on its way. Ana Agent`;
      await agent.page.waitForFunction(
        ({ text }) =>
          document.querySelector('[data-testid="ticket-pane"] [data-testid="composer-input"]')
            ?.value === text,
        { text: expected },
      );
      assert((await pane.getByTestId('composer-canned').count()) === 0, 'the list closed');
      await pane.getByTestId('composer-send').click();
      await bubbles(agent.page, expected).first().waitFor();

      // The customer sees it, filled in.
      await bubbles(customer.page, expected).first().waitFor();

      // A customer's composer never opens the list.
      const mine = customer.page.getByLabel('Message', { exact: true });
      await mine.click();
      await mine.pressSequentially('/ref');
      await customer.page.waitForTimeout(500);
      assert(
        (await customer.page.getByTestId('composer-canned').count()) === 0,
        'no canned responses for customers',
      );
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
