import * as pushApi from '../src/api/push';
import { registerPush } from '../src/lib/push';
import { PushSettings } from '../src/screens/Profile/PushSettings';
import { renderWithApp } from './helpers/render';
import { findTestId, press, textOf, typeInto, waitFor } from './helpers/ui';

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

  it('turns do not disturb on with the times typed, in the time zone of this device, and off', async () => {
    const offset = -new Date().getTimezoneOffset() || 0;
    api.getPushPreferences.mockResolvedValue({ hide_previews: true, quiet_hours: null });
    api.setPushPreferences.mockImplementation(async (p) => p);
    await renderWithApp(<PushSettings />);
    await findTestId('profile-push-quiet-save');
    expect(textOf('profile-push-quiet-state')).toMatch(/any time/);
    await typeInto('profile-push-quiet-from', '22:30');
    await typeInto('profile-push-quiet-until', '7:00');
    await press('profile-push-quiet-save');
    await waitFor(() => expect(textOf('profile-push-quiet-state')).toMatch(/22:30 to 07:00/));
    expect(api.setPushPreferences).toHaveBeenLastCalledWith({
      hide_previews: true,
      quiet_hours: { start_minute: 1350, end_minute: 420, utc_offset_minutes: offset },
    });
    expect(textOf('profile-push-quiet-state')).toMatch(/calls, which still ring/);
    await press('profile-push-quiet-off');
    await waitFor(() => expect(textOf('profile-push-quiet-state')).toMatch(/any time/));
    expect(api.setPushPreferences).toHaveBeenLastCalledWith({
      hide_previews: true,
      quiet_hours: null,
    });
  });

  it('says what is wrong with the times before sending them', async () => {
    api.getPushPreferences.mockResolvedValue({ hide_previews: false, quiet_hours: null });
    api.setPushPreferences.mockClear();
    await renderWithApp(<PushSettings />);
    await findTestId('profile-push-quiet-save');
    await typeInto('profile-push-quiet-from', '25:00');
    await press('profile-push-quiet-save');
    await waitFor(() => expect(textOf('profile-push-error')).toMatch(/HH:MM/));
    await typeInto('profile-push-quiet-from', '07:00');
    await typeInto('profile-push-quiet-until', '07:00');
    await press('profile-push-quiet-save');
    await waitFor(() => expect(textOf('profile-push-error')).toMatch(/must differ/));
    expect(api.setPushPreferences).not.toHaveBeenCalled();
  });
});
