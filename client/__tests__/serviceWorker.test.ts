// The web service worker's push handlers, run from public/sw.js itself in a sandbox that plays
// the browser's part: a `push` shows a notification built from the decrypted payload, a click
// focuses an open tab of the app and takes it to the ticket or chat, or opens one.
import { readFileSync } from 'fs';
import { join } from 'path';
import { runInNewContext } from 'vm';

type Handler = (event: unknown) => void;

interface FakeWindow {
  url: string;
  focus: jest.Mock;
  navigate: jest.Mock;
}

function worker(windows: FakeWindow[] = []) {
  const handlers: Record<string, Handler> = {};
  const waits: Promise<unknown>[] = [];
  const showNotification = jest.fn(async () => undefined);
  const openWindow = jest.fn(async () => null);
  const matchAll = jest.fn(async () => windows);
  const self = {
    addEventListener: (type: string, fn: Handler) => {
      handlers[type] = fn;
    },
    registration: { showNotification },
    clients: { matchAll, openWindow, claim: async () => undefined },
    location: { origin: 'https://desk.example.com' },
    skipWaiting: () => undefined,
  };
  const code = readFileSync(join(__dirname, '..', 'public', 'sw.js'), 'utf8');
  runInNewContext(code, { self, URL, caches: {}, fetch: () => undefined, Response: {} });
  const dispatch = async (type: string, event: object) => {
    handlers[type]({ ...event, waitUntil: (p: Promise<unknown>) => waits.push(p) });
    await Promise.all(waits);
  };
  return { dispatch, showNotification, openWindow, matchAll };
}

const data = (payload: unknown) => ({ json: () => payload });

function tab(url: string): FakeWindow {
  const w: FakeWindow = {
    url,
    focus: jest.fn(async () => w),
    navigate: jest.fn(async () => w),
  };
  return w;
}

function clicked(url: string) {
  const close = jest.fn();
  return { notification: { close, data: { url } }, close };
}

describe('push', () => {
  it('shows the title and text of a ticket reply, tagged, and remembers where it leads', async () => {
    const sw = worker();
    await sw.dispatch('push', {
      data: data({
        kind: 'ticket_reply',
        title: 'New reply on #12: Printer on fire',
        body: 'We are on our way',
        conversation_id: 7,
        ticket_id: 12,
        tag: 'ticket:12',
      }),
    });
    expect(sw.showNotification).toHaveBeenCalledWith(
      'New reply on #12: Printer on fire',
      expect.objectContaining({
        body: 'We are on our way',
        tag: 'ticket:12',
        data: { url: '/tickets/12' },
      }),
    );
  });

  it('leads a direct message to its chat and shows no text when previews are hidden', async () => {
    const sw = worker();
    await sw.dispatch('push', {
      data: data({ kind: 'message', title: 'New message', conversation_id: 7, tag: 'c' }),
    });
    const [, options] = sw.showNotification.mock.calls[0] as unknown as [
      string,
      { body?: string; data: unknown },
    ];
    expect(options.body).toBeUndefined();
    expect(options.data).toEqual({ url: '/chats/7' });
  });

  it('rings for a call until answered and leads to the ticket or chat it is in', async () => {
    const sw = worker();
    await sw.dispatch('push', {
      data: data({
        kind: 'call',
        title: 'Alice',
        body: 'Incoming video call',
        conversation_id: 7,
        ticket_id: 12,
        tag: 'call:7',
      }),
    });
    await sw.dispatch('push', {
      data: data({ kind: 'call', title: 'Incoming call', conversation_id: 8, tag: 'call:8' }),
    });
    expect(sw.showNotification).toHaveBeenNthCalledWith(
      1,
      'Alice',
      expect.objectContaining({
        body: 'Incoming video call',
        tag: 'call:7',
        requireInteraction: true,
        vibrate: [300, 200, 300, 200, 300],
        data: { url: '/tickets/12' },
      }),
    );
    // Previews hidden: no caller name, and still a line that says what it is.
    expect(sw.showNotification).toHaveBeenNthCalledWith(
      2,
      'Incoming call',
      expect.objectContaining({
        body: 'Incoming call',
        requireInteraction: true,
        data: { url: '/chats/8' },
      }),
    );
  });

  it('lets other pushes fade as usual', async () => {
    const sw = worker();
    await sw.dispatch('push', {
      data: data({ kind: 'mention', title: 'You were mentioned', ticket_id: 3, tag: 't' }),
    });
    const [, options] = sw.showNotification.mock.calls[0] as unknown as [
      string,
      { requireInteraction?: boolean },
    ];
    expect(options.requireInteraction).toBeUndefined();
  });

  it('still shows a notification when the payload is missing or unreadable', async () => {
    const sw = worker();
    await sw.dispatch('push', { data: null });
    await sw.dispatch('push', {
      data: {
        json: () => {
          throw new SyntaxError('not JSON');
        },
      },
    });
    expect(sw.showNotification).toHaveBeenCalledTimes(2);
    expect(sw.showNotification).toHaveBeenCalledWith(
      'Switchboard',
      expect.objectContaining({ data: { url: '/' } }),
    );
  });
});

describe('notificationclick', () => {
  it('focuses an open tab of the app and takes it to the ticket', async () => {
    const other = tab('https://elsewhere.example.org/');
    const app = tab('https://desk.example.com/chats');
    const sw = worker([other, app]);
    const click = clicked('/tickets/12');
    await sw.dispatch('notificationclick', click);
    expect(click.close).toHaveBeenCalled();
    expect(app.focus).toHaveBeenCalled();
    expect(app.navigate).toHaveBeenCalledWith('https://desk.example.com/tickets/12');
    expect(other.focus).not.toHaveBeenCalled();
    expect(sw.openWindow).not.toHaveBeenCalled();
  });

  it('takes an open tab to the conversation of a call when its notification is clicked', async () => {
    const app = tab('https://desk.example.com/tickets');
    const sw = worker([app]);
    await sw.dispatch('push', {
      data: data({ kind: 'call', title: 'Ana', conversation_id: 7, tag: 'call:7' }),
    });
    const [, options] = sw.showNotification.mock.calls[0] as unknown as [
      string,
      { data: { url: string } },
    ];
    await sw.dispatch('notificationclick', clicked(options.data.url));
    expect(app.navigate).toHaveBeenCalledWith('https://desk.example.com/chats/7');
  });

  it('opens the app at the chat when no tab of it is open', async () => {
    const sw = worker([tab('https://elsewhere.example.org/')]);
    await sw.dispatch('notificationclick', clicked('/chats/7'));
    expect(sw.openWindow).toHaveBeenCalledWith('https://desk.example.com/chats/7');
  });
});
