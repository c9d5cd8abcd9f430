import * as pushApi from '../src/api/push';
import { MuteButton } from '../src/components/MuteButton';
import { renderWithApp } from './helpers/render';
import { findTestId, press, queryTestId, textOf, waitFor } from './helpers/ui';

jest.mock('../src/api/push');
const api = pushApi as jest.Mocked<typeof pushApi>;

describe('Mute button', () => {
  beforeEach(() => jest.resetAllMocks());

  it('shows the current state, mutes and unmutes the conversation on the server', async () => {
    api.listMutes.mockResolvedValue([7]);
    api.setMuted.mockResolvedValue(undefined);
    await renderWithApp(<MuteButton conversationId={12} />);
    await findTestId('conversation-mute');
    expect(textOf('conversation-mute')).toMatch(/Mute/);
    await press('conversation-mute');
    await waitFor(() => expect(textOf('conversation-mute')).toMatch(/Unmute/));
    expect(api.setMuted).toHaveBeenLastCalledWith(12, true);
    await press('conversation-mute');
    await waitFor(() => expect(textOf('conversation-mute')).toMatch(/Mute/));
    expect(api.setMuted).toHaveBeenLastCalledWith(12, false);
  });

  it('starts as Unmute for a muted conversation, and keeps it when the server refuses', async () => {
    api.listMutes.mockResolvedValue([12]);
    api.setMuted.mockRejectedValue(new Error('offline'));
    await renderWithApp(<MuteButton conversationId={12} />);
    await findTestId('conversation-mute');
    expect(textOf('conversation-mute')).toMatch(/Unmute/);
    await press('conversation-mute');
    await waitFor(() => expect(api.setMuted).toHaveBeenCalledWith(12, false));
    expect(textOf('conversation-mute')).toMatch(/Unmute/);
  });

  it('stays hidden when the mutes cannot be read', async () => {
    api.listMutes.mockRejectedValue(new Error('offline'));
    await renderWithApp(<MuteButton conversationId={12} />);
    await waitFor(() => expect(api.listMutes).toHaveBeenCalled());
    expect(queryTestId('conversation-mute')).toBeNull();
  });
});
