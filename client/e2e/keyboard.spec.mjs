import { apiAs, assert, launchBrowser, newPerson, shot, signIn, startServer } from './lib.mjs';
import { bubbles } from './tickets.spec.mjs';

const AGENT = { email: 'agent@example.com', password: 'agent password 1', displayName: 'Kim Keys' };
const CUSTOMER = { email: 'cy@example.com', password: 'cy password 1', displayName: 'Cy Customer' };

export const tests = {
  async 'an agent walks the queue with the keyboard: j/k, Enter, a, r, ?, /'() {
    const server = await startServer('keyboard');
    server.createUser({ ...AGENT, role: 'agent' });
    const { browser, close } = await launchBrowser();
    try {
      const reg = await fetch(`${server.baseURL}/api/v1/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          email: CUSTOMER.email,
          display_name: CUSTOMER.displayName,
          password: CUSTOMER.password,
        }),
      });
      assert(reg.ok, 'customer registered');
      const numbers = [];
      for (const subject of ['Printer jams', 'VPN drops', 'Invoice missing']) {
        const { data } = await apiAs(server.baseURL, CUSTOMER, 'POST', '/tickets', {
          subject,
          body: `${subject}, please help`,
          priority: 'medium',
        });
        numbers.push(data.number);
      }

      const agent = await newPerson(browser, server.baseURL, {
        viewport: { width: 1440, height: 900 },
      });
      const { page } = agent;
      await signIn(page, AGENT);
      await page.getByTestId(`ticket-row-${numbers[0]}`).waitFor();
      // Newest first: Invoice missing, VPN drops, Printer jams.
      await page.keyboard.press('j');
      await page.getByTestId(`ticket-row-${numbers[2]}-cursor`).waitFor();
      await page.keyboard.press('j');
      await page.getByTestId(`ticket-row-${numbers[1]}-cursor`).waitFor();
      await page.keyboard.press('k');
      await page.keyboard.press('j');
      await page.keyboard.press('Enter');
      await page.getByTestId('ticket-subject').filter({ hasText: 'VPN drops' }).waitFor();

      await page.keyboard.press('a');
      await page.getByTestId('ticket-assignee').filter({ hasText: 'Kim Keys' }).waitFor();
      await page.getByTestId('ticket-status').filter({ hasText: 'In progress' }).waitFor();

      await page.keyboard.press('r');
      const input = page.getByLabel('Message', { exact: true }).last();
      assert(await input.evaluate((el) => el === document.activeElement), 'r focuses the reply');
      // Typing in the field types: j, a and ? are letters here, not shortcuts.
      await page.keyboard.type('Looking at it? just a sec');
      await page.keyboard.press('Enter');
      await bubbles(page, 'Looking at it? just a sec').first().waitFor();
      assert((await page.getByTestId('shortcuts-help').count()) === 0, 'no help while typing');

      await page.getByTestId('ticket-subject').click(); // out of the field
      await page.keyboard.press('?');
      await page.getByTestId('shortcuts-help').waitFor();
      await shot(page, 'shortcuts-help-light');
      await page.keyboard.press('Escape');
      await page.getByTestId('shortcuts-help').waitFor({ state: 'detached' });

      // At 1440 px the ticket opened next to the list (the workspace): the list is still here.
      await page.getByTestId('ticket-pane').waitFor();
      await page.getByTestId(`ticket-row-${numbers[0]}`).waitFor();
      await page.keyboard.press('/');
      const search = page.getByTestId('tickets-search');
      assert(await search.evaluate((el) => el === document.activeElement), '/ focuses search');

      // s moves the focus to the status; Tab and Enter pick another one.
      await page.getByTestId('ticket-subject').click();
      await page.keyboard.press('s');
      const current = page.getByTestId('ticket-set-status-in_progress');
      assert(await current.evaluate((el) => el === document.activeElement), 's focuses the status');
      await page.keyboard.press('Tab');
      await page.keyboard.press('Enter');
      // The next chip after In progress is Waiting on customer.
      await page.getByTestId('ticket-status').filter({ hasText: 'Waiting on customer' }).waitFor();
      assert(agent.errors.length === 0, `page errors: ${agent.errors}`);
    } finally {
      await close();
      await server.stop();
    }
  },
};
