import {
  apiAs,
  assert,
  launchBrowser,
  newPerson,
  register,
  shot,
  signIn,
  startServer,
  waitOnline,
} from './lib.mjs';
import { bubbles } from './tickets.spec.mjs';

const AGENT = { email: 'agent@example.com', password: 'agent password 1', displayName: 'Agent' };
const OLGA = {
  email: 'olga@example.com',
  password: 'olga password 1',
  displayName: 'Olga Offline',
};

export const tests = {
  async 'a message sent while offline arrives exactly once when the network is back'() {
    const server = await startServer('offline');
    server.createUser({ ...AGENT, role: 'agent' });
    const { browser, close } = await launchBrowser();
    try {
      const customer = await newPerson(browser, server.baseURL);
      await register(customer.page, OLGA);
      // Set-up: the agent opens a direct conversation with her (agents may talk to anyone).
      const { user: olga } = await apiAs(server.baseURL, OLGA);
      await apiAs(server.baseURL, AGENT, 'POST', '/conversations/direct', { user_id: olga.id });

      const agent = await newPerson(browser, server.baseURL);
      await signIn(agent.page, AGENT);
      await agent.page.getByTestId('tab-chats').click();
      await agent.page
        .getByTestId(/^conversation-row-/)
        .first()
        .click();
      await agent.page.getByTestId('message-list').last().waitFor();

      await customer.page.getByTestId('tab-chats').click();
      await customer.page
        .getByTestId(/^conversation-row-/)
        .first()
        .click();
      await customer.page
        .getByLabel('Message', { exact: true })
        .last()
        .fill('Hello before the tunnel');
      await customer.page.getByTestId('composer-send').last().click();
      await bubbles(agent.page, 'Hello before the tunnel').first().waitFor();
      await waitOnline(customer.page);

      // The installed PWA's service worker controls the page (so it can start offline).
      await customer.page.waitForFunction(() => navigator.serviceWorker?.controller != null, null, {
        timeout: 15_000,
      });

      // The network goes away while the customer writes.
      await customer.context.setOffline(true);
      await customer.page.getByTestId('connection-banner-offline').waitFor();
      const text = 'Written in the tunnel, sent when out of it';
      await customer.page.getByLabel('Message', { exact: true }).last().fill(text);
      await customer.page.getByTestId('composer-send').last().click();
      const pending = customer.page.getByTestId(/^outbox-[0-9a-f-]+$/).filter({ hasText: text });
      await pending.waitFor();
      assert((await pending.textContent()).includes('Sending…'), 'shown as pending while offline');
      await shot(customer.page, 'chat-offline-pending-light');
      await customer.page.waitForTimeout(1500);
      assert(
        (await bubbles(agent.page, text).count()) === 0,
        'nothing reached the server while offline',
      );

      // The app is restarted while still offline: the service worker serves the shell, and the
      // outbox (in storage) still holds the message.
      await customer.page.reload();
      await customer.page.getByTestId('connection-banner-offline').waitFor();
      await customer.page
        .getByTestId(/^outbox-[0-9a-f-]+$/)
        .filter({ hasText: text })
        .waitFor();
      // The history kept on the device is shown, with a calm offline notice (not "Something
      // went wrong: Network Error").
      await customer.page.getByTestId('chat-offline-notice').waitFor();
      await bubbles(customer.page, 'Hello before the tunnel').first().waitFor();
      assert(
        (await customer.page.getByText(/Something went wrong/).count()) === 0,
        'no raw network error',
      );

      // Back online: the outbox resends with the same client_id; the server stores it once.
      await customer.context.setOffline(false);
      await waitOnline(customer.page);
      await bubbles(customer.page, text).first().waitFor();
      await bubbles(agent.page, text).first().waitFor();
      await customer.page.waitForTimeout(2000);
      assert((await bubbles(customer.page, text).count()) === 1, 'customer sees it once');
      assert((await bubbles(agent.page, text).count()) === 1, 'agent sees it once');
      assert((await customer.page.getByTestId(/^outbox-/).count()) === 0, 'outbox is empty');

      // After a reload (fresh state from the server) it is still there, once.
      await agent.page.reload();
      await bubbles(agent.page, text).first().waitFor();
      assert((await bubbles(agent.page, text).count()) === 1, 'stored once');
      assert(
        customer.errors.length === 0 && agent.errors.length === 0,
        `page errors: ${[...customer.errors, ...agent.errors]}`,
      );
    } finally {
      await close();
      await server.stop();
    }
  },
};
