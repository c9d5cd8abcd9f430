// Android push registration (lib/push.ts): the Expo push token is registered with the server as
// `{kind: "expo", token}`; never a prompt unless asked; a build without an Expo project id (the
// token call throws) and a failed token call each end in an outcome the settings can explain.
import { Platform } from 'react-native';

import { registerSubscription } from '../src/api/push';
import { registerPush, type PushDevice } from '../src/lib/push';

jest.mock('../src/api/push', () => ({
  registerSubscription: jest.fn(async () => ({})),
}));

const TOKEN = 'ExponentPushToken[xxxxxxxxxxxxxxxxxxxxxx]';

function fakeDevice(
  granted: boolean,
  canAskAgain = true,
  token: () => Promise<string> = async () => TOKEN,
) {
  const calls: string[] = [];
  const env: PushDevice = {
    prepareChannel: jest.fn(async () => void calls.push('channel')),
    permission: jest.fn(async () => {
      calls.push('permission');
      return { granted, canAskAgain };
    }),
    requestPermission: jest.fn(async () => {
      calls.push('request');
      return { granted: true, canAskAgain: true };
    }),
    token: jest.fn(async () => {
      calls.push('token');
      return token();
    }),
  };
  return { env, calls };
}

/** What expo-notifications throws when the build has no `extra.eas.projectId`. */
function noProjectId() {
  return Object.assign(new Error('No "projectId" found.'), {
    code: 'ERR_NOTIFICATIONS_NO_EXPERIENCE_ID',
  });
}

(Platform.OS === 'web' ? describe.skip : describe)('Expo push registration (Android)', () => {
  it('registers the token when notifications are allowed, after making the channel', async () => {
    const d = fakeDevice(true);
    await expect(registerPush({}, d.env)).resolves.toBe('registered');
    expect(registerSubscription).toHaveBeenCalledWith({ kind: 'expo', token: TOKEN });
    expect(d.calls).toEqual(['channel', 'permission', 'token']);
  });

  it('never prompts unless asked', async () => {
    const quiet = fakeDevice(false);
    await expect(registerPush({}, quiet.env)).resolves.toBe('not-asked');
    expect(quiet.env.requestPermission).not.toHaveBeenCalled();
    expect(quiet.env.token).not.toHaveBeenCalled();
    expect(registerSubscription).not.toHaveBeenCalled();

    const asked = fakeDevice(false);
    await expect(registerPush({ ask: true }, asked.env)).resolves.toBe('registered');
    expect(asked.calls).toEqual(['channel', 'permission', 'request', 'token']);
  });

  it('says denied, without prompting, when Android will not ask again', async () => {
    const d = fakeDevice(false, false);
    await expect(registerPush({ ask: true }, d.env)).resolves.toBe('denied');
    expect(d.env.requestPermission).not.toHaveBeenCalled();
    expect(registerSubscription).not.toHaveBeenCalled();
  });

  it('says so when the build has no Expo project id, and registers nothing', async () => {
    const d = fakeDevice(true, true, async () => {
      throw noProjectId();
    });
    await expect(registerPush({ ask: true }, d.env)).resolves.toBe('no-project');
    expect(registerSubscription).not.toHaveBeenCalled();
  });

  it('says failed when the token cannot be had for another reason', async () => {
    const d = fakeDevice(true, true, async () => {
      throw new Error('Error encountered while fetching Expo token: network');
    });
    await expect(registerPush({}, d.env)).resolves.toBe('failed');
    const broken = fakeDevice(true);
    (broken.env.prepareChannel as jest.Mock).mockRejectedValue(new Error('no channel'));
    await expect(registerPush({}, broken.env)).resolves.toBe('failed');
    expect(registerSubscription).not.toHaveBeenCalled();
  });

  it("passes the server's refusal on to the settings screen", async () => {
    (registerSubscription as jest.Mock).mockRejectedValueOnce(new Error('400'));
    await expect(registerPush({}, fakeDevice(true).env)).rejects.toThrow('400');
  });
});
