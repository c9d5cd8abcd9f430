import { ConnectionBanner } from '../src/components/ConnectionBanner';
import { signedIn } from '../src/state/auth';
import { connectionChanged, type ConnectionStatus } from '../src/state/connection';
import { makeStore } from '../src/state/store';
import { me } from './helpers/fixtures';
import { renderWithApp } from './helpers/render';
import { queryTestId, textOf } from './helpers/ui';

async function renderWith(status: ConnectionStatus) {
  const store = makeStore();
  store.dispatch(signedIn(me));
  store.dispatch(connectionChanged({ status }));
  return renderWithApp(<ConnectionBanner />, { store });
}

describe('ConnectionBanner', () => {
  it.each([
    ['offline', 'You are offline. Messages will be sent when you are back.'],
    ['unreachable', 'Cannot reach the server. Retrying…'],
    ['reauthenticating', 'Re-authenticating…'],
  ] as const)('says why real-time is down: %s', async (status, text) => {
    await renderWith(status);
    expect(textOf(`connection-banner-${status}`)).toBe(text);
  });

  it.each(['online', 'connecting', 'idle'] as const)('is hidden while %s', async (status) => {
    await renderWith(status);
    expect(queryTestId('connection-banner')).toBeNull();
  });
});
