import {
  apiAs,
  assert,
  launchBrowser,
  newPerson,
  openTicket,
  register,
  shot,
  signIn,
  startServer,
  waitOnline,
} from './lib.mjs';
import { bubbles } from './tickets.spec.mjs';

const AGENT = {
  email: 'agent@example.com',
  password: 'agent password 1',
  displayName: 'Ana Agent',
};

/** The seq of the (first) bubble showing `text`, from its test id `message-<seq>`. */
async function seqOf(page, text) {
  const bubble = bubbles(page, text).first();
  await bubble.waitFor();
  return Number((await bubble.getAttribute('data-testid')).slice('message-'.length));
}

/** Opens a message's actions the web way: hover it, then its "…" button. */
async function openActions(page, seq) {
  await page.getByTestId(`message-${seq}`).hover();
  await page.getByTestId(`message-${seq}-actions`).click();
  const menu = page.getByTestId('message-actions');
  await menu.waitFor();
  return menu;
}

export const tests = {
  async 'edits, reactions, replies and deletions reach the other side live'() {
    const server = await startServer('message-changes');
    server.createUser({ ...AGENT, role: 'agent' });
    const { browser, close } = await launchBrowser();
    try {
      // The agent in dark mode, the customer in light: both themes on the screenshots.
      const agent = await newPerson(browser, server.baseURL, { colorScheme: 'dark' });
      await signIn(agent.page, AGENT);
      const customer = await newPerson(browser, server.baseURL);
      await register(customer.page, {
        email: 'carol@example.com',
        displayName: 'Carol Customer',
        password: 'carol password 1',
      });
      const number = await openTicket(customer.page, {
        subject: 'Parcel is late',
        body: 'My parcel is late.',
      });

      // The agent takes it and answers, with a typo.
      await agent.page.getByTestId('tab-tickets').click();
      await agent.page.getByTestId(`ticket-row-${number}`).click();
      await agent.page.getByTestId('ticket-take').click();
      await agent.page.getByTestId('ticket-status').filter({ hasText: 'In progress' }).waitFor();
      const pane = agent.page.getByTestId('ticket-pane');
      const input = pane.getByLabel('Message', { exact: true });
      await input.fill('It ships tomorow.');
      await pane.getByTestId('composer-send').click();
      const answer = await seqOf(agent.page, 'It ships tomorow.');
      await bubbles(customer.page, 'It ships tomorow.').first().waitFor();

      // The agent edits it: the text goes into the composer, Save sends the edit.
      let menu = await openActions(agent.page, answer);
      await shot(agent.page, 'message-actions-dark');
      await menu.getByTestId('message-actions-edit').click();
      await pane.getByTestId('composer-editing').waitFor();
      assert((await input.inputValue()) === 'It ships tomorow.', 'the composer holds the text');
      await input.fill('It ships tomorrow.');
      await pane.getByTestId('composer-send').click();
      await pane.getByTestId('composer-editing').waitFor({ state: 'detached' });

      // The customer's open screen shows the new text, marked edited, without a reload.
      const seen = customer.page.getByTestId(`message-${answer}`);
      await seen.filter({ hasText: 'It ships tomorrow.' }).waitFor();
      await customer.page.getByTestId(`message-${answer}-edited`).waitFor();

      // Staff see what it said before.
      menu = await openActions(agent.page, answer);
      await menu.getByTestId('message-actions-history').click();
      await menu.getByTestId('message-actions-versions-0').filter({ hasText: 'tomorow' }).waitFor();
      await menu
        .getByTestId('message-actions-versions-1')
        .filter({ hasText: 'tomorrow' })
        .waitFor();
      await menu.getByTestId('message-actions-close').click();
      // Customers are not offered the history.
      menu = await openActions(customer.page, answer);
      assert((await menu.getByTestId('message-actions-history').count()) === 0, 'no history');
      assert((await menu.getByTestId('message-actions-edit').count()) === 0, 'not theirs to edit');

      // The customer reacts; the agent sees the chip, counted.
      await menu.getByTestId('message-actions-react-👍').click();
      await menu.waitFor({ state: 'detached' });
      const myChip = customer.page.getByTestId(`message-${answer}-reaction-👍`);
      await myChip.waitFor();
      assert((await myChip.getAttribute('aria-pressed')) === 'true', 'my reaction is highlighted');
      const theirChip = agent.page.getByTestId(`message-${answer}-reaction-👍`);
      await theirChip.filter({ hasText: '👍 1' }).waitFor();
      assert((await theirChip.getAttribute('aria-pressed')) === 'false', 'not the agent’s own');
      // The agent adds theirs from the chip: 2 on both sides.
      await theirChip.click();
      await customer.page
        .getByTestId(`message-${answer}-reaction-👍`)
        .filter({ hasText: '👍 2' })
        .waitFor();

      // The customer replies to the answer (the menu from a right click this time): the quote
      // shows on both sides.
      await customer.page.getByTestId(`message-${answer}-body`).click({ button: 'right' });
      menu = customer.page.getByTestId('message-actions');
      await menu.waitFor();
      await menu.getByTestId('message-actions-reply').click();
      await customer.page.getByTestId('composer-replying').waitFor();
      const theirInput = customer.page.getByLabel('Message', { exact: true });
      await theirInput.fill('Great, thanks!');
      await customer.page.getByTestId('composer-send').click();
      const reply = await seqOf(agent.page, 'Great, thanks!');
      await agent.page
        .getByTestId(`message-${reply}-quote`)
        .filter({ hasText: 'It ships tomorrow.' })
        .waitFor();
      await customer.page
        .getByTestId(`message-${reply}-quote`)
        .filter({ hasText: 'It ships tomorrow.' })
        .waitFor();
      await shot(customer.page, 'message-reply-and-reaction');

      // The agent answers the customer's first message, which the customer then deletes: it
      // turns into "Message deleted" for the agent, and the quote of it says so too.
      const first = await seqOf(agent.page, 'My parcel is late.');
      menu = await openActions(agent.page, first);
      await menu.getByTestId('message-actions-reply').click();
      await input.fill('Sorry about the wait.');
      await pane.getByTestId('composer-send').click();
      const sorry = await seqOf(customer.page, 'Sorry about the wait.');
      await customer.page
        .getByTestId(`message-${sorry}-quote`)
        .filter({ hasText: 'My parcel is late.' })
        .waitFor();
      menu = await openActions(customer.page, first);
      await menu.getByTestId('message-actions-delete').click();
      await menu.getByTestId('message-actions-delete-confirm').click();
      await customer.page.getByTestId(`message-${first}-deleted`).waitFor();
      await agent.page.getByTestId(`message-${first}-deleted`).waitFor();
      assert(
        !(await agent.page.getByTestId(`message-${first}`).textContent()).includes('late'),
        'the text is gone',
      );
      await agent.page
        .getByTestId(`message-${sorry}-quote`)
        .filter({ hasText: 'Deleted message' })
        .waitFor();
      await shot(agent.page, 'message-deleted-dark');

      // Staff may delete any message of a ticket: the customer's reply goes too.
      menu = await openActions(agent.page, reply);
      await menu.getByTestId('message-actions-delete').click();
      await menu.getByTestId('message-actions-delete-confirm').click();
      await customer.page.getByTestId(`message-${reply}-deleted`).waitFor();

      assert(
        agent.errors.length === 0 && customer.errors.length === 0,
        `page errors: ${[...agent.errors, ...customer.errors]}`,
      );
    } finally {
      await close();
      await server.stop();
    }
  },

  async 'changes made while the customer was offline arrive once the link is back'() {
    const server = await startServer('message-changes-offline');
    server.createUser({ ...AGENT, role: 'agent' });
    const { browser, close } = await launchBrowser();
    try {
      const OLGA = { email: 'olga@example.com', displayName: 'Olga', password: 'olga password 1' };
      const customer = await newPerson(browser, server.baseURL);
      await register(customer.page, OLGA);
      const { user: olga } = await apiAs(server.baseURL, OLGA);
      const { data: chat } = await apiAs(server.baseURL, AGENT, 'POST', '/conversations/direct', {
        user_id: olga.id,
      });
      const post = async (body, extra = {}) =>
        (
          await apiAs(server.baseURL, AGENT, 'POST', `/conversations/${chat.id}/messages`, {
            body,
            client_id: crypto.randomUUID(),
            ...extra,
          })
        ).data;
      const first = await post('Your order is packed.');
      const second = await post('A mistake, ignore this.');

      await customer.page.getByTestId('tab-chats').click();
      await customer.page.getByTestId(`conversation-row-${chat.id}`).click();
      await bubbles(customer.page, 'A mistake, ignore this.').first().waitFor();
      await waitOnline(customer.page);

      // The link goes; meanwhile the agent edits, reacts, deletes and replies.
      await customer.context.setOffline(true);
      await customer.page.getByTestId('connection-banner-offline').waitFor();
      await apiAs(server.baseURL, AGENT, 'PATCH', `/messages/${first.id}`, {
        body: 'Your order is packed and labelled.',
      });
      await apiAs(
        server.baseURL,
        AGENT,
        'PUT',
        `/messages/${first.id}/reactions/${encodeURIComponent('🎉')}`,
      );
      await apiAs(server.baseURL, AGENT, 'DELETE', `/messages/${second.id}`);
      const reply = await post('It leaves tonight.', { reply_to: first.id });

      // Back: the resume replays the new message and every change, once.
      await customer.context.setOffline(false);
      await waitOnline(customer.page);
      const page = customer.page;
      await page
        .getByTestId(`message-${first.seq}`)
        .filter({ hasText: 'Your order is packed and labelled.' })
        .waitFor();
      await page.getByTestId(`message-${first.seq}-edited`).waitFor();
      await page
        .getByTestId(`message-${first.seq}-reaction-🎉`)
        .filter({ hasText: '🎉 1' })
        .waitFor();
      await page.getByTestId(`message-${second.seq}-deleted`).waitFor();
      await page
        .getByTestId(`message-${reply.seq}-quote`)
        .filter({ hasText: 'Your order is packed and labelled.' })
        .waitFor();
      assert(
        (await page.getByTestId(`message-${first.seq}-reactions`).textContent()) === '🎉 1',
        'the reaction counted once',
      );
      assert(customer.errors.length === 0, `page errors: ${customer.errors}`);
    } finally {
      await close();
      await server.stop();
    }
  },
};
