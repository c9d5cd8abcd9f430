// Web push registration: subscribes with the server's VAPID key and registers the browser's
// subscription; never prompts unless asked; replaces a subscription made with another key.
import { getVapidKey, registerSubscription } from '../src/api/push';
import { base64UrlToBytes, registerPush, type PushBrowser } from '../src/lib/push.web';

jest.mock('../src/api/push', () => ({
  getVapidKey: jest.fn(),
  registerSubscription: jest.fn(async () => ({})),
}));

// A P-256 public key's shape: 65 bytes, base64url.
const KEY =
  'BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8';
const OTHER =
  'BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4';

function subscription(key: string) {
  return {
    options: { applicationServerKey: base64UrlToBytes(key).buffer },
    unsubscribe: jest.fn(async () => true),
    toJSON: () => ({
      endpoint: 'https://push.example.com/send/abc',
      expirationTime: null,
      keys: { p256dh: 'BROWSERKEY', auth: 'AUTHSECRET' },
    }),
  };
}

function fakeBrowser(permission: NotificationPermission, existing: unknown = null) {
  const subscribe = jest.fn(async () => subscription(KEY));
  const manager = { getSubscription: jest.fn(async () => existing), subscribe };
  const requestPermission = jest.fn(async (): Promise<NotificationPermission> => 'granted');
  const env: PushBrowser = {
    permission: () => permission,
    requestPermission,
    pushManager: async () => manager as unknown as PushManager,
  };
  return { env, subscribe, requestPermission };
}

beforeEach(() => {
  (getVapidKey as jest.Mock).mockResolvedValue(KEY);
});

it('decodes base64url keys', () => {
  const bytes = base64UrlToBytes(KEY);
  expect(bytes.length).toBe(65);
  expect(bytes[0]).toBe(4);
});

it('subscribes with the server key and registers the subscription when allowed', async () => {
  const b = fakeBrowser('granted');
  await expect(registerPush({}, b.env)).resolves.toBe('registered');
  expect(b.requestPermission).not.toHaveBeenCalled();
  const [options] = b.subscribe.mock.calls[0] as unknown as [PushSubscriptionOptionsInit];
  expect(options.userVisibleOnly).toBe(true);
  expect(Array.from(options.applicationServerKey as Uint8Array)).toEqual(
    Array.from(base64UrlToBytes(KEY)),
  );
  expect(registerSubscription).toHaveBeenCalledWith({
    kind: 'webpush',
    endpoint: 'https://push.example.com/send/abc',
    keys: { p256dh: 'BROWSERKEY', auth: 'AUTHSECRET' },
  });
});

it('never prompts after sign-in; asks only when told to', async () => {
  const quiet = fakeBrowser('default');
  await expect(registerPush({}, quiet.env)).resolves.toBe('not-asked');
  expect(quiet.requestPermission).not.toHaveBeenCalled();
  expect(registerSubscription).not.toHaveBeenCalled();
  const asked = fakeBrowser('default');
  await expect(registerPush({ ask: true }, asked.env)).resolves.toBe('registered');
  expect(asked.requestPermission).toHaveBeenCalled();
});

it('leaves a browser that refused alone', async () => {
  const b = fakeBrowser('denied');
  await expect(registerPush({ ask: true }, b.env)).resolves.toBe('denied');
  expect(b.subscribe).not.toHaveBeenCalled();
});

it('keeps a subscription made with the same key and replaces one made with another', async () => {
  const same = subscription(KEY);
  const kept = fakeBrowser('granted', same);
  await registerPush({}, kept.env);
  expect(kept.subscribe).not.toHaveBeenCalled();
  expect(same.unsubscribe).not.toHaveBeenCalled();

  const stale = subscription(OTHER);
  const replaced = fakeBrowser('granted', stale);
  await registerPush({}, replaced.env);
  expect(stale.unsubscribe).toHaveBeenCalled();
  expect(replaced.subscribe).toHaveBeenCalled();
});

it('reports a browser without push as unsupported', async () => {
  await expect(registerPush({}, null)).resolves.toBe('unsupported');
});
