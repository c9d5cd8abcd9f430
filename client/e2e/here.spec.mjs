import { apiAs, assert, launchBrowser, newPerson, shot, signIn, startServer } from './lib.mjs';

const ALEX = { email: 'alex@example.com', password: 'alex password 1', displayName: 'Alex Agent' };
const BEA = { email: 'bea@example.com', password: 'bea password 1', displayName: 'Bea Agent' };
const CUSTOMER = { email: 'rae@example.com', password: 'rae password 1', displayName: 'Rae Ramos' };

export const tests = {
  async 'two agents on one ticket see each other viewing and replying; leaving clears it'() {
    const server = await startServer('here');
    server.createUser({ ...ALEX, role: 'agent' });
    server.createUser({ ...BEA, role: 'agent' });
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
        subject: 'Cannot print invoices',
        body: 'The print button does nothing.',
        priority: 'high',
      });
      const { data: other } = await apiAs(server.baseURL, CUSTOMER, 'POST', '/tickets', {
        subject: 'Another thing',
        body: 'Unrelated.',
        priority: 'low',
      });
      const viewport = { width: 1440, height: 900 };
      const alex = await newPerson(browser, server.baseURL, { viewport });
      const bea = await newPerson(browser, server.baseURL, { viewport });
      await signIn(alex.page, ALEX);
      await signIn(bea.page, BEA);
      await alex.page.getByTestId(`ticket-row-${tk.number}`).click();
      await bea.page.getByTestId(`ticket-row-${tk.number}`).click();

      const alexSees = alex.page.getByTestId('ticket-here');
      const beaSees = bea.page.getByTestId('ticket-here');
      await alexSees.filter({ hasText: 'Bea Agent is viewing' }).waitFor();
      await beaSees.filter({ hasText: 'Alex Agent is viewing' }).waitFor();

      // Bea starts writing: Alex sees it before any message exists.
      await bea.page
        .getByTestId('ticket-pane')
        .getByLabel('Message', { exact: true })
        .pressSequentially('Hi Rae, could you');
      await alexSees.filter({ hasText: 'Bea Agent is replying' }).waitFor();
      await shot(alex.page, 'here-replying');

      // The customer never sees who is on the ticket.
      const rae = await newPerson(browser, server.baseURL);
      await signIn(rae.page, CUSTOMER);
      await rae.page.getByTestId(`ticket-row-${tk.number}`).click();
      await rae.page.getByTestId('ticket-subject').waitFor();
      await rae.page.waitForTimeout(1000);
      assert((await rae.page.getByTestId('ticket-here').count()) === 0, 'nothing for customers');

      // Bea moves to another ticket: she left this one.
      await bea.page.getByTestId(`ticket-row-${other.number}`).click();
      await alexSees.waitFor({ state: 'detached' });
      // Back, then her tab closes: gone again (the server says so for the closed socket).
      await bea.page.getByTestId(`ticket-row-${tk.number}`).click();
      await alexSees.filter({ hasText: 'Bea Agent is viewing' }).waitFor();
      await bea.context.close();
      await alexSees.waitFor({ state: 'detached' });
      assert(
        alex.errors.length === 0 && rae.errors.length === 0,
        `page errors: ${[...alex.errors, ...rae.errors]}`,
      );
    } finally {
      await close();
      await server.stop();
    }
  },
};
