// Where a tapped push leads: the app's rule (lib/pushRoute.ts, used on Android) and the web
// service worker's (public/sw.js, a plain script) must agree.
import { readFileSync } from 'fs';
import { join } from 'path';
import { runInNewContext } from 'vm';

import { pushLink, pushPath } from '../src/lib/pushRoute';

/** The URL public/sw.js gives the notification it shows for `payload`. */
async function serviceWorkerUrl(payload: unknown): Promise<string> {
  let push: ((event: unknown) => void) | undefined;
  const showNotification = jest.fn(
    async (_title: string, _options: { data: { url: string } }) => {},
  );
  const self = {
    addEventListener: (type: string, fn: (event: unknown) => void) => {
      if (type === 'push') push = fn;
    },
    registration: { showNotification },
    clients: {},
    location: { origin: 'https://desk.example.com' },
    skipWaiting: () => undefined,
  };
  const code = readFileSync(join(__dirname, '..', 'public', 'sw.js'), 'utf8');
  runInNewContext(code, { self, URL, caches: {}, fetch: () => undefined, Response: {} });
  let wait: Promise<unknown> = Promise.resolve();
  push!({ data: { json: () => payload }, waitUntil: (p: Promise<unknown>) => (wait = p) });
  await wait;
  return showNotification.mock.calls[0][1].data.url;
}

const payloads: [string, unknown, string][] = [
  ['a ticket reply', { kind: 'ticket_reply', ticket_id: 12, conversation_id: 30 }, '/tickets/12'],
  ['a direct message', { kind: 'message', conversation_id: 7 }, '/chats/7'],
  ['a call in a ticket', { kind: 'call', ticket_id: 4, conversation_id: 9 }, '/tickets/4'],
  ['a call in a direct chat', { kind: 'call', conversation_id: 8, ticket_id: null }, '/chats/8'],
  ['an assignment', { kind: 'assigned', ticket_id: 5 }, '/tickets/5'],
  ['ids that are not numbers', { ticket_id: '5', conversation_id: 1.5 }, '/'],
  ['no ids', { kind: 'message' }, '/'],
  ['no data', null, '/'],
];

describe('push → screen', () => {
  it.each(payloads)('%s', async (_name, payload, path) => {
    expect(pushPath(payload)).toBe(path);
    expect(await serviceWorkerUrl(payload)).toBe(path);
  });

  it('makes the deep link Android opens', () => {
    expect(pushLink({ ticket_id: 12 })).toBe('switchboard://tickets/12');
    expect(pushLink({ conversation_id: 7 })).toBe('switchboard://chats/7');
    expect(pushLink(undefined)).toBe('switchboard://');
  });
});
