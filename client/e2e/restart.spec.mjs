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
const RITA = {
  email: 'rita@example.com',
  password: 'rita password 1',
  displayName: 'Rita Restart',
};

export const tests = {
  async 'while the server restarts the banner says so, and a message written meanwhile is delivered once'() {
    const server = await startServer('restart');
    server.createUser({ ...AGENT, role: 'agent' });
    const { browser, close } = await launchBrowser();
    try {
      const rita = await newPerson(browser, server.baseURL);
      await register(rita.page, RITA);
      const { user } = await apiAs(server.baseURL, RITA);
      await apiAs(server.baseURL, AGENT, 'POST', '/conversations/direct', { user_id: user.id });
      // Older history than one page: the chat loads it on demand.
      const { data: conv } = await apiAs(server.baseURL, AGENT, 'POST', '/conversations/direct', {
        user_id: user.id,
      });
      for (let i = 1; i <= 60; i++) {
        await apiAs(server.baseURL, AGENT, 'POST', `/conversations/${conv.id}/messages`, {
          body: `history ${i}`,
          client_id: crypto.randomUUID(),
        });
      }
      await rita.page.getByTestId('tab-chats').click();
      await rita.page
        .getByTestId(/^conversation-row-/)
        .first()
        .filter({ hasText: 'history 60' })
        .waitFor();
      await rita.page
        .getByTestId(/^conversation-row-/)
        .first()
        .click();
      await bubbles(rita.page, 'history 60').waitFor();
      // One page (50) at first: history 11..60.
      await rita.page.getByTestId('message-11').waitFor();
      // Scrolling up loads the older page.
      await rita.page.getByTestId('message-list').last().hover();
      for (let i = 0; i < 20 && !(await rita.page.getByTestId('message-1').count()); i++) {
        await rita.page.mouse.wheel(0, -3000);
        await rita.page.waitForTimeout(200);
      }
      await rita.page.getByTestId('message-1').waitFor();
      // The list is virtualised, so check what is rendered: every seq at most once.
      const seqs = await rita.page.evaluate(() =>
        [...document.querySelectorAll('[data-testid^="message-"]')]
          .map((e) => e.getAttribute('data-testid'))
          .filter((id) => /^message-\d+$/.test(id)),
      );
      assert(seqs.length > 0 && new Set(seqs).size === seqs.length, `no duplicates: ${seqs}`);
      await waitOnline(rita.page);

      await server.halt();
      await rita.page.getByTestId('connection-banner-unreachable').waitFor({ timeout: 20_000 });
      await shot(rita.page, 'chat-server-unreachable-light');
      const text = 'Written while the server was down';
      await rita.page.getByLabel('Message', { exact: true }).last().fill(text);
      await rita.page.getByTestId('composer-send').last().click();
      await rita.page
        .getByTestId(/^outbox-[0-9a-f-]+$/)
        .filter({ hasText: 'Sending…' })
        .waitFor();

      await server.start();
      // The client is somewhere in its backoff (at most 30 s): wait for it to come back.
      await waitOnline(rita.page, 45_000);
      await bubbles(rita.page, text).waitFor({ timeout: 40_000 });
      const agent = await newPerson(browser, server.baseURL);
      await signIn(agent.page, AGENT);
      await agent.page.getByTestId('tab-chats').click();
      await agent.page
        .getByTestId(/^conversation-row-/)
        .first()
        .click();
      await bubbles(agent.page, text).waitFor();
      assert((await bubbles(agent.page, text).count()) === 1, 'stored once');
      assert((await rita.page.getByTestId(/^outbox-/).count()) === 0, 'outbox is empty');
    } finally {
      await close();
      await server.stop();
    }
  },
};
