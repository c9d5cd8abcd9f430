import { apiAs, assert, launchBrowser, newPerson, register, startServer } from './lib.mjs';

const ADMIN = {
  email: 'admin@example.com',
  password: 'admin password 1',
  displayName: 'Ada Admin',
};
const PAT = { email: 'pat@example.com', password: 'pat password 1', displayName: 'Pat Promoted' };

export const tests = {
  async 'a customer promoted to agent gets the agent screens at once, without a reload'() {
    const server = await startServer('roles');
    server.createUser({ ...ADMIN, role: 'admin' });
    const { browser, close } = await launchBrowser();
    try {
      const pat = await newPerson(browser, server.baseURL);
      await register(pat.page, PAT);
      await pat.page.getByTestId('tickets-screen').waitFor();
      assert((await pat.page.getByTestId('tickets-tab-queue').count()) === 0, 'a customer');
      // Mark the page: a reload would lose this.
      await pat.page.evaluate(() => {
        window.__notReloaded = true;
      });

      const { user } = await apiAs(server.baseURL, PAT);
      await apiAs(server.baseURL, ADMIN, 'PATCH', `/admin/users/${user.id}`, { role: 'agent' });
      await pat.page.getByTestId('tickets-tab-queue').waitFor();
      await pat.page.getByTestId('tickets-tab-queue').filter({ hasText: 'Queue' }).waitFor();
      await pat.page.getByTestId('tab-profile').click();
      await pat.page.getByText('Role: Agent', { exact: true }).waitFor();
      assert(await pat.page.evaluate(() => window.__notReloaded === true), 'no reload happened');

      // Demoted again: back to the customer's screens (the server reconnects the socket).
      await apiAs(server.baseURL, ADMIN, 'PATCH', `/admin/users/${user.id}`, { role: 'customer' });
      await pat.page.getByText('Role: Customer', { exact: true }).waitFor();
      await pat.page.getByTestId('tab-tickets').click();
      await pat.page.getByTestId('tickets-new').waitFor();
      assert((await pat.page.getByTestId('tickets-tab-queue').count()) === 0, 'customer again');
      assert(pat.errors.length === 0, `page errors: ${pat.errors}`);
    } finally {
      await close();
      await server.stop();
    }
  },
};
