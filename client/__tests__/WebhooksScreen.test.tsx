import * as webhooksApi from '../src/api/webhooks';
import type { Webhook, WebhookDelivery } from '../src/api/types';
import { adminSections } from '../src/screens/Admin/sections';
import { WebhooksScreen } from '../src/screens/Admin/Webhooks/WebhooksScreen';
import { signedIn } from '../src/state/auth';
import { makeStore } from '../src/state/store';
import { agent } from './helpers/fixtures';
import { renderScreen } from './helpers/render';
import {
  findTestId,
  isChecked,
  isDisabled,
  press,
  queryTestId,
  textOf,
  typeInto,
  waitFor,
} from './helpers/ui';

jest.mock('../src/api/webhooks');
const mocked = webhooksApi as jest.Mocked<typeof webhooksApi>;

const hook: Webhook = {
  id: 4,
  url: 'https://hooks.example.com/desk',
  events: ['message.created', 'ticket.created'],
  include_notes: false,
  enabled: true,
  disabled_reason: null,
  failing_since: null,
  created_at: '2026-12-01T10:00:00Z',
};
const failed: WebhookDelivery = {
  id: 31,
  webhook_id: 4,
  event_id: 'e1',
  event_type: 'ticket.created',
  status: 'failed',
  attempts: 27,
  response_status: 500,
  error: 'HTTP 500 Internal Server Error',
  latency_ms: 84,
  created_at: '2026-12-01T10:00:00Z',
  last_attempt_at: '2026-12-02T10:00:00Z',
  next_attempt_at: null,
  delivered_at: null,
  payload: '{}',
};

async function open() {
  const store = makeStore();
  store.dispatch(signedIn({ ...agent, role: 'admin' }));
  await renderScreen(WebhooksScreen, { store });
}

function apiError(status: number, error: object) {
  return Object.assign(new Error(`status ${status}`), {
    isAxiosError: true,
    response: { status, data: { error }, headers: {} },
  });
}

describe('Webhooks screen', () => {
  it('is listed in the admin area', () => {
    expect(adminSections.map((s) => s.route)).toContain('AdminWebhooks');
  });

  it('registers an endpoint with event checkboxes, shows the server’s URL error, then the secret once', async () => {
    mocked.listWebhooks.mockResolvedValue([]);
    mocked.createWebhook
      .mockRejectedValueOnce(
        apiError(400, {
          code: 'validation_failed',
          message: 'validation failed',
          fields: { url: 'points to a private, loopback or link-local address' },
        }),
      )
      .mockResolvedValue({ webhook: hook, secret: 'whsec_0123' });
    await open();
    await findTestId('webhooks-empty');
    await press('webhook-new');
    await typeInto('webhook-form-url', 'https://10.0.0.8/hook');
    expect(isDisabled('webhook-form-save')).toBe(true);
    await press('webhook-form-event-ticket.created');
    await press('webhook-form-event-message.created');
    expect(isChecked('webhook-form-event-ticket.created')).toBe(true);
    expect(isChecked('webhook-form-event-user.created')).toBe(false);
    await press('webhook-form-save');
    await findTestId('webhook-form-url-error');
    expect(textOf('webhook-form-url-error')).toContain('private');
    expect(mocked.createWebhook).toHaveBeenLastCalledWith({
      url: 'https://10.0.0.8/hook',
      events: ['ticket.created', 'message.created'],
      include_notes: false,
    });

    await typeInto('webhook-form-url', hook.url);
    mocked.listWebhooks.mockResolvedValue([hook]);
    await press('webhook-form-save');
    await findTestId('webhook-secret');
    expect(textOf('webhook-secret-value')).toBe('whsec_0123');
    await findTestId('webhook-row-4');
    await press('webhook-secret-done');
    expect(queryTestId('webhook-secret')).toBeNull();
  }, 20_000);

  it('disables, shows why the server disabled one, and deletes', async () => {
    mocked.listWebhooks.mockResolvedValueOnce([hook]);
    mocked.updateWebhook.mockResolvedValue({ ...hook, enabled: false });
    mocked.deleteWebhook.mockResolvedValue(undefined);
    await open();
    await findTestId('webhook-row-4');
    expect(textOf('webhook-state-4')).toContain('Enabled');
    mocked.listWebhooks.mockResolvedValueOnce([
      {
        ...hook,
        enabled: false,
        disabled_reason: 'every delivery failed for the whole retry window',
      },
    ]);
    await press('webhook-toggle-4');
    expect(mocked.updateWebhook).toHaveBeenCalledWith(4, { enabled: false });
    await waitFor(() => expect(textOf('webhook-state-4')).toContain('every delivery failed'));

    mocked.listWebhooks.mockResolvedValue([]);
    await press('webhook-delete-4');
    await press('webhook-delete-confirm-4');
    expect(mocked.deleteWebhook).toHaveBeenCalledWith(4);
    await findTestId('webhooks-empty');
  });

  it('shows recent deliveries with status, attempts and latency, and replays one', async () => {
    mocked.listWebhooks.mockResolvedValue([hook]);
    mocked.listDeliveries.mockResolvedValue([failed]);
    mocked.replayDelivery.mockResolvedValue({ ...failed, id: 32, status: 'pending', attempts: 0 });
    mocked.sendTestEvent.mockResolvedValue({ ...failed, id: 33, event_type: 'webhook.test' });
    await open();
    await press('webhook-deliveries-toggle-4');
    await findTestId('delivery-31');
    const row = textOf('delivery-31');
    expect(row).toContain('ticket.created · failed · 27 attempt(s) · HTTP 500 · 84 ms');
    expect(row).toContain('HTTP 500 Internal Server Error');
    await press('delivery-replay-31');
    expect(mocked.replayDelivery).toHaveBeenCalledWith(4, 31);
    await press('webhook-test-4');
    expect(mocked.sendTestEvent).toHaveBeenCalledWith(4);
    await waitFor(() => expect(mocked.listDeliveries).toHaveBeenCalledTimes(3));
  });
});
