import * as pushApi from '../src/api/push';
import { registerPush } from '../src/lib/push';
import { PushSettings } from '../src/screens/Profile/PushSettings';
import { renderWithApp } from './helpers/render';
import { findTestId, press, textOf, waitFor } from './helpers/ui';

jest.mock('../src/api/push');
jest.mock('../src/lib/push', () => ({
  pushSupported: true,
  registerPush: jest.fn(),
}));
const api = pushApi as jest.Mocked<typeof pushApi>;

describe('Push settings', () => {
  it('turns notifications on for this browser only when asked, and says how it went', async () => {
    api.getPushPreferences.mockResolvedValue({ hide_previews: false });
    (registerPush as jest.Mock).mockResolvedValue('denied');
    await renderWithApp(<PushSettings />);
    await findTestId('profile-push-enable');
    expect(registerPush).not.toHaveBeenCalled();
    await press('profile-push-enable');
    await waitFor(() => expect(textOf('profile-push-status')).toMatch(/blocks notifications/));
    expect(registerPush).toHaveBeenCalledWith({ ask: true });
  });

  it('hides and shows message text in notifications', async () => {
    api.getPushPreferences.mockResolvedValue({ hide_previews: false });
    api.setPushPreferences.mockImplementation(async (p) => p);
    await renderWithApp(<PushSettings />);
    await findTestId('profile-push-previews');
    expect(textOf('profile-push-previews')).toMatch(/Hide message text/);
    await press('profile-push-previews');
    await waitFor(() => expect(textOf('profile-push-previews')).toMatch(/Show message text/));
    expect(api.setPushPreferences).toHaveBeenCalledWith({ hide_previews: true });
    expect(textOf('profile-push-previews-state')).toMatch(/without its text/);
  });
});
