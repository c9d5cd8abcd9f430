import { assert, launchBrowser, newPerson, register, shot, startServer } from './lib.mjs';

const CAROL = {
  email: 'carol@example.com',
  displayName: 'Carol Customer',
  password: 'carol password 1',
};
const HIT = 'The 請求書 for order 42 never arrived';

/** Signs in once over REST and returns a caller with that token. */
async function restAs(baseURL, { email, password }) {
  const login = await fetch(`${baseURL}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (!login.ok) throw new Error(`login ${email}: ${login.status}`);
  const { access_token: token } = await login.json();
  return async (method, path, body) => {
    const res = await fetch(`${baseURL}/api/v1${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: body ? JSON.stringify(body) : undefined,
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res.json();
  };
}

export const tests = {
  async 'search finds a message by part of a word and opens its ticket at that message (dark mode)'() {
    const server = await startServer('search');
    const { browser, close } = await launchBrowser();
    try {
      const carol = await newPerson(browser, server.baseURL, { colorScheme: 'dark' });
      await register(carol.page, CAROL);
      // A ticket whose hit is older than the first page of history (50 messages): opening
      // it must load older pages until the message is there.
      const call = await restAs(server.baseURL, CAROL);
      const ticket = await call('POST', '/tickets', {
        subject: 'Missing paperwork',
        body: HIT,
        priority: 'medium',
      });
      for (let i = 1; i <= 60; i++) {
        await call('POST', `/conversations/${ticket.conversation_id}/messages`, {
          body: `follow-up number ${i}`,
          client_id: crypto.randomUUID(),
        });
      }

      await carol.page.getByTestId('tab-search').click();
      const screen = carol.page.getByTestId('search-screen');
      await screen.getByLabel('Search messages and tickets', { exact: true }).fill('請求');
      const hit = screen.getByTestId('search-hit-0');
      await hit.waitFor();
      assert((await screen.getByTestId(/^search-hit-\d+$/).count()) === 1, 'one hit');
      const marks = await screen.getByTestId('search-hit-0-snippet-mark').allTextContents();
      assert(JSON.stringify(marks) === JSON.stringify(['請求']), `highlighted: ${marks}`);
      const label = await hit.getAttribute('aria-label');
      assert(label?.includes('Missing paperwork') && label.includes(HIT), `label: ${label}`);
      await shot(carol.page, 'search-dark');

      // A filter that excludes it: nothing; back to any status: found again.
      await screen.getByTestId('search-status-closed').click();
      await screen.getByTestId('search-empty').waitFor();
      await screen.getByTestId('search-status-any').click();
      await hit.waitFor();

      // The hit opens the ticket at the message, marked.
      await hit.click();
      await carol.page.getByTestId('ticket-detail-screen').waitFor();
      const found = carol.page.getByTestId('search-hit-message');
      await found.waitFor({ timeout: 20_000 });
      assert((await found.textContent()).includes(HIT), 'the marked message is the hit');
      await found.scrollIntoViewIfNeeded();
      assert(await found.isVisible(), 'in view');
      await shot(carol.page, 'search-opened-hit');
      assert(carol.errors.length === 0, `page errors: ${carol.errors}`);
    } finally {
      await close();
      await server.stop();
    }
  },
};
