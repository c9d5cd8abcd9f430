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

const AGENT = {
  email: 'agent@example.com',
  password: 'agent password 1',
  displayName: 'Agent Alex',
};
const CARA = { email: 'cara@example.com', password: 'cara password 1', displayName: 'Cara Chen' };

async function registerByApi(baseURL, who) {
  const res = await fetch(`${baseURL}/api/v1/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      email: who.email,
      display_name: who.displayName,
      password: who.password,
    }),
  });
  if (!res.ok) throw new Error(`register ${who.email}: ${res.status}`);
}

/** Whether the element is inside the visible part of the open conversation's message list. */
async function inView(page, locator) {
  const list = await page.getByTestId('message-list').last().boundingBox();
  const box = await locator.boundingBox();
  return !!(list && box && box.y >= list.y - 1 && box.y + box.height <= list.y + list.height + 1);
}

async function waitInView(page, locator, what) {
  const deadline = Date.now() + 10_000;
  while (!(await inView(page, locator))) {
    if (Date.now() > deadline) throw new Error(`not scrolled into view: ${what}`);
    await page.waitForTimeout(100);
  }
}

export const tests = {
  async 'a long chat opens at its newest message, follows new ones and offers a jump back'() {
    const server = await startServer('chat-scroll');
    server.createUser({ ...AGENT, role: 'agent' });
    const { browser, close } = await launchBrowser();
    try {
      await registerByApi(server.baseURL, CARA);
      const { user: cara } = await apiAs(server.baseURL, CARA);
      const { data: conv } = await apiAs(server.baseURL, AGENT, 'POST', '/conversations/direct', {
        user_id: cara.id,
      });
      // 200 messages (four pages), the newest last.
      const login = await (
        await fetch(`${server.baseURL}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: AGENT.email, password: AGENT.password }),
        })
      ).json();
      const say = async (body) => {
        const res = await fetch(`${server.baseURL}/api/v1/conversations/${conv.id}/messages`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${login.access_token}`,
          },
          body: JSON.stringify({ body, client_id: crypto.randomUUID() }),
        });
        if (!res.ok) throw new Error(`send: ${res.status}`);
      };
      for (let i = 1; i <= 200; i++) await say(`Line ${i} of the long story`);

      const person = await newPerson(browser, server.baseURL, {
        viewport: { width: 1100, height: 700 },
      });
      const { page } = person;
      await signIn(page, CARA);
      await page.getByTestId('tab-chats').click();
      await page
        .getByTestId(/^conversation-row-/)
        .first()
        .click();
      const newest = bubbles(page, 'Line 200 of the long story').first();
      await newest.waitFor();
      await waitInView(page, newest, 'message 200 on opening');
      assert(
        (await page.getByTestId('chat-jump-latest').count()) === 0,
        'no jump button at the end',
      );
      await shot(page, 'chat-long-opened-light');

      // A new message while at the end: followed.
      await say('Line 201, live');
      const live = bubbles(page, 'Line 201, live').first();
      await live.waitFor();
      await waitInView(page, live, 'a live message while at the end');

      // Scrolled up: a new message doesn't move the view; the jump button counts it.
      const list = page.getByTestId('message-list').last();
      const box = await list.boundingBox();
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.wheel(0, -2500);
      await page.getByTestId('chat-jump-latest').waitFor();
      assert(!(await inView(page, live)), 'scrolled away from the newest');
      await say('Line 202, while reading back');
      await page.getByTestId('chat-jump-latest').filter({ hasText: '1 new' }).waitFor();
      await page.getByTestId('chat-jump-latest').click();
      await waitInView(page, bubbles(page, 'Line 202').first(), 'after jumping to the latest');

      // Scrolled up again, the user's own send brings the view down to it.
      await page.mouse.wheel(0, -2500);
      await page.getByTestId('chat-jump-latest').waitFor();
      await page.getByLabel('Message', { exact: true }).last().fill('My own answer');
      await page.getByTestId('composer-send').last().click();
      await waitInView(page, bubbles(page, 'My own answer').first(), 'my own message');
      assert(person.errors.length === 0, `page errors: ${person.errors}`);
    } finally {
      await close();
      await server.stop();
    }
  },

  async 'an image with no caption and a multi-line message reach the other member once'() {
    const server = await startServer('chat-compose');
    server.createUser({ ...AGENT, role: 'agent' });
    const { browser, close } = await launchBrowser();
    try {
      await registerByApi(server.baseURL, CARA);
      const { user: cara } = await apiAs(server.baseURL, CARA);
      await apiAs(server.baseURL, AGENT, 'POST', '/conversations/direct', { user_id: cara.id });

      const agent = await newPerson(browser, server.baseURL, { colorScheme: 'dark' });
      await signIn(agent.page, AGENT);
      await agent.page.getByTestId('tab-chats').click();
      await agent.page
        .getByTestId(/^conversation-row-/)
        .first()
        .click();
      await agent.page.getByTestId('message-list').last().waitFor();

      const customer = await newPerson(browser, server.baseURL);
      await signIn(customer.page, CARA);
      await customer.page.getByTestId('tab-chats').click();
      await customer.page
        .getByTestId(/^conversation-row-/)
        .first()
        .click();

      // Multi-line: Shift+Enter starts a new line, Enter sends.
      const input = customer.page.getByLabel('Message', { exact: true }).last();
      await input.click();
      await input.pressSequentially('First line');
      await input.press('Shift+Enter');
      await input.pressSequentially('second line, see https://example.com/help');
      await input.press('Enter');
      const sent = bubbles(agent.page, 'second line').first();
      await sent.waitFor();
      const bodyText = await sent.getByTestId(/-body$/).innerText();
      assert(
        bodyText === 'First line\nsecond line, see https://example.com/help',
        `line break kept: ${JSON.stringify(bodyText)}`,
      );
      assert(
        (await sent.getByRole('link', { name: 'https://example.com/help' }).count()) === 1,
        'the address is a link',
      );
      assert((await input.inputValue()) === '', 'the box is empty after sending');

      // A picture with no caption.
      const picture = path.join(clientDir, 'public/icons/icon-192.png');
      const chooser = customer.page.waitForEvent('filechooser');
      await customer.page.getByTestId('composer-attach').last().click();
      await (await chooser).setFiles(picture);
      await customer.page.getByRole('button', { name: 'Remove icon-192.png' }).waitFor();
      await customer.page.getByTestId('composer-send').last().click();
      const preview = agent.page.getByTestId(/^message-\d+-attachment-0-image$/);
      await preview.first().waitFor();
      const mine = customer.page.getByTestId(/^message-\d+-attachment-0-image$/);
      await mine.first().waitFor();
      await customer.page.waitForTimeout(1500);
      assert((await preview.count()) === 1, 'the other member sees it once');
      assert((await mine.count()) === 1, 'the sender sees it once');
      assert(
        (await customer.page.getByText('Not sent', { exact: true }).count()) === 0,
        'nothing failed',
      );
      await shot(agent.page, 'chat-image-only-dark');

      // A second picture; the agent opens the first in the viewer instead of downloading it.
      const second = path.join(clientDir, 'public/icons/icon-512.png');
      const chooser2 = customer.page.waitForEvent('filechooser');
      await customer.page.getByTestId('composer-attach').last().click();
      await (await chooser2).setFiles(second);
      await customer.page.getByRole('button', { name: 'Remove icon-512.png' }).waitFor();
      await customer.page.getByTestId('composer-send').last().click();
      await preview.nth(1).waitFor();
      await agent.page.getByLabel('Open image icon-192.png', { exact: true }).click();
      const viewer = agent.page.getByTestId('image-viewer');
      await viewer.waitFor();
      const name = viewer.getByTestId('image-viewer-name');
      assert((await name.textContent()) === 'icon-192.png', 'the clicked image is shown');
      assert(
        (await viewer.getByTestId('image-viewer-position').textContent()) === '1 / 2',
        'its place in the conversation',
      );
      const full = viewer.getByTestId('image-viewer-image');
      await full.waitFor();
      const before = await full.boundingBox();
      await viewer.getByTestId('image-viewer-zoom-in').click();
      await viewer.getByTestId('image-viewer-zoom').filter({ hasText: '150%' }).waitFor();
      // Keys: → next (and the zoom starts over), ← back.
      await agent.page.keyboard.press('ArrowRight');
      await name.filter({ hasText: 'icon-512.png' }).waitFor();
      await viewer.getByTestId('image-viewer-zoom').filter({ hasText: '100%' }).waitFor();
      await viewer.getByTestId('image-viewer-prev').click();
      await name.filter({ hasText: 'icon-192.png' }).waitFor();
      assert(before && before.width > 100, `full-size image shown (${before?.width} px wide)`);
      await shot(agent.page, 'chat-image-viewer-dark');
      const download = agent.page.waitForEvent('download');
      await viewer.getByTestId('image-viewer-download').click();
      assert((await download).suggestedFilename() === 'icon-192.png', 'downloads the file');
      await agent.page.keyboard.press('Escape');
      await viewer.waitFor({ state: 'detached' });

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
