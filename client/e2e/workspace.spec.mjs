import { readFileSync } from 'node:fs';
import path from 'node:path';

import {
  apiAs,
  assert,
  clientDir,
  launchBrowser,
  newPerson,
  shot,
  signIn,
  startServer,
} from './lib.mjs';
import { bubbles } from './tickets.spec.mjs';

const AGENT = { email: 'agent@example.com', password: 'agent password 1', displayName: 'Wes Work' };
const CUSTOMER = { email: 'rae@example.com', password: 'rae password 1', displayName: 'Rae Ramos' };

async function token(baseURL, who) {
  const res = await fetch(`${baseURL}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: who.email, password: who.password }),
  });
  return (await res.json()).access_token;
}

function leftOf(a, b) {
  return a.x + a.width <= b.x + 1;
}

export const tests = {
  async 'at 1440 px an agent sees the list, the open ticket and its context side by side'() {
    const server = await startServer('workspace');
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
      const { data: older } = await apiAs(server.baseURL, CUSTOMER, 'POST', '/tickets', {
        subject: 'Toner is empty',
        body: 'The office printer needs toner',
        priority: 'low',
      });
      const { data: tk } = await apiAs(server.baseURL, CUSTOMER, 'POST', '/tickets', {
        subject: 'Printer shows error 51',
        body: 'Since this morning the printer shows error 51.',
        priority: 'urgent',
      });
      // The customer attaches a photo of the error.
      const bearer = await token(server.baseURL, CUSTOMER);
      const form = new FormData();
      const png = readFileSync(path.join(clientDir, 'public/icons/icon-192.png'));
      form.append('file', new Blob([png], { type: 'image/png' }), 'error-51.png');
      const file = await (
        await fetch(`${server.baseURL}/api/v1/files`, {
          method: 'POST',
          headers: { authorization: `Bearer ${bearer}` },
          body: form,
        })
      ).json();
      for (let i = 1; i <= 30; i++) {
        const res = await fetch(
          `${server.baseURL}/api/v1/conversations/${tk.conversation_id}/messages`,
          {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
            body: JSON.stringify({
              body: i === 30 ? 'Here is a photo' : `Detail ${i} about the error`,
              client_id: crypto.randomUUID(),
              ...(i === 30 ? { attachment_ids: [file.id] } : {}),
            }),
          },
        );
        assert(res.ok, `message ${i}`);
      }

      for (const colorScheme of ['light', 'dark']) {
        const agent = await newPerson(browser, server.baseURL, {
          colorScheme,
          viewport: { width: 1440, height: 900 },
        });
        const { page } = agent;
        await signIn(page, AGENT);
        await page.getByTestId(`ticket-row-${tk.number}`).waitFor();
        await page.getByTestId('ticket-pane-empty').waitFor();
        // Dense rows: SLA time left on the row.
        const sla = await page.getByTestId(`ticket-sla-${tk.number}`).textContent();
        assert(/left|breached/.test(sla), `SLA badge: ${sla}`);
        await page.getByTestId(`ticket-row-${tk.number}`).click();
        await page.getByTestId('ticket-subject').filter({ hasText: 'error 51' }).waitFor();
        await bubbles(page, 'Here is a photo').first().waitFor();

        const list = await page.getByTestId('tickets-list').boundingBox();
        const pane = await page.getByTestId('ticket-pane').boundingBox();
        const context = await page.getByTestId('context-panel').boundingBox();
        assert(leftOf(list, pane) && leftOf(pane, context), 'list | ticket | context');
        assert(context.x + context.width <= 1441, 'all three fit in the window');

        // Context: the requester, their other ticket, the ticket's attachment, tags.
        await page.getByTestId('context-requester').filter({ hasText: 'Rae Ramos' }).waitFor();
        await page.getByTestId(`context-ticket-${older.number}`).waitFor();
        await page.getByTestId(`context-file-${file.id}`).waitFor();

        // The header and its actions stay put while the conversation scrolls.
        const header = page.getByTestId('ticket-header');
        const before = await header.boundingBox();
        const messages = await page.getByTestId('message-list').last().boundingBox();
        await page.mouse.move(messages.x + messages.width / 2, messages.y + messages.height / 2);
        await page.mouse.wheel(0, -2000);
        await page.getByTestId('chat-jump-latest').waitFor();
        const after = await header.boundingBox();
        assert(Math.abs(after.y - before.y) < 1, 'the ticket header is pinned');
        await page.getByTestId('chat-jump-latest').click();
        await shot(page, `workspace-${colorScheme}`);

        if (colorScheme === 'light') {
          await page.getByTestId('context-tag-input').fill('printer');
          await page.getByTestId('context-tag-add').click();
          await page.getByTestId('context-tag-printer').waitFor();
          const { data: saved } = await apiAs(server.baseURL, AGENT, 'GET', `/tickets/${tk.id}`);
          assert(saved.tags.includes('printer'), `tag saved: ${saved.tags}`);
          // Another of the requester's tickets opens in the same place.
          await page.getByTestId(`context-ticket-${older.number}`).click();
          await page.getByTestId('ticket-subject').filter({ hasText: 'Toner' }).waitFor();
        }
        assert(agent.errors.length === 0, `page errors: ${agent.errors}`);
        await agent.context.close();
      }

      // On a phone the same agent gets the one-column layout.
      const phone = await newPerson(browser, server.baseURL, {
        viewport: { width: 390, height: 844 },
      });
      await signIn(phone.page, AGENT);
      await phone.page.getByTestId(`ticket-row-${tk.number}`).click();
      await phone.page.getByTestId('ticket-detail-screen').waitFor();
      assert((await phone.page.getByTestId('context-panel').count()) === 0, 'no side panes');
    } finally {
      await close();
      await server.stop();
    }
  },
};
