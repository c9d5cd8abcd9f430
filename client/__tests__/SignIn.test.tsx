import { AxiosError } from 'axios';

import * as authApi from '../src/api/auth';
import { cancelProactiveRefresh } from '../src/api/client';
import { getSession, setSession } from '../src/api/session';
import { RegisterScreen } from '../src/screens/Register/RegisterScreen';
import { SignInScreen } from '../src/screens/SignIn/SignInScreen';
import { me } from './helpers/fixtures';
import { renderScreen } from './helpers/render';
import {
  byLabel,
  byTestId,
  findTestId,
  isDisabled,
  press,
  textOf,
  typeInto,
  waitFor,
} from './helpers/ui';

jest.mock('../src/api/auth');
const mocked = authApi as jest.Mocked<typeof authApi>;

const auth = {
  user: me,
  access_token: 'a',
  refresh_token: 'r',
  token_type: 'bearer' as const,
  expires_in: 900,
};

function apiError(status: number, code: string, headers: Record<string, string> = {}) {
  const response = { status, headers, data: { error: { code, message: code } } };
  return Object.assign(new AxiosError('fail'), { response });
}

afterEach(async () => {
  cancelProactiveRefresh();
  await setSession(null);
});

describe('SignIn screen', () => {
  it('labels its fields by what they hold', async () => {
    await renderScreen(SignInScreen);
    expect(byLabel('Email')).toBe(byTestId('signin-email'));
    expect(byLabel('Password')).toBe(byTestId('signin-password'));
    expect(isDisabled('signin-submit')).toBe(true);
  });

  it('signs in and stores the session', async () => {
    mocked.login.mockResolvedValue(auth);
    const { store } = await renderScreen(SignInScreen);
    await typeInto('signin-email', ' me@example.com ');
    await typeInto('signin-password', 'hunter22');
    await press('signin-submit');
    await waitFor(() => expect(store.getState().auth.status).toBe('signedIn'));
    expect(mocked.login).toHaveBeenCalledWith('me@example.com', 'hunter22');
    expect(store.getState().auth.user?.id).toBe(1);
    expect(getSession()?.accessToken).toBe('a');
  });

  it('says so when the credentials are wrong', async () => {
    mocked.login.mockRejectedValue(apiError(401, 'invalid_credentials'));
    const { store } = await renderScreen(SignInScreen);
    await typeInto('signin-email', 'me@example.com');
    await typeInto('signin-password', 'nope');
    await press('signin-submit');
    const err = await findTestId('signin-error');
    expect(err).toBeTruthy();
    expect(store.getState().auth.status).not.toBe('signedIn');
  });
});

describe('SignIn screen: rate limits', () => {
  it('says how long to wait, in words, after too many attempts', async () => {
    const err = apiError(429, 'rate_limited', { 'retry-after': '3' });
    err.response.data.error.message = 'too many requests; retry in 3 s';
    mocked.login.mockRejectedValue(err);
    await renderScreen(SignInScreen);
    await typeInto('signin-email', 'me@example.com');
    await typeInto('signin-password', 'guess123');
    await press('signin-submit');
    await findTestId('signin-error');
    expect(textOf('signin-error')).toBe('Too many attempts. Please wait 3 s and try again.');
  });
});

describe('Register screen', () => {
  it('labels its fields and shows a taken email next to the field', async () => {
    mocked.register.mockRejectedValue(apiError(409, 'email_taken'));
    await renderScreen(RegisterScreen);
    expect(byLabel('Email')).toBe(byTestId('register-email'));
    expect(byLabel('Display name')).toBe(byTestId('register-display-name'));
    expect(byLabel('Password')).toBe(byTestId('register-password'));
    await typeInto('register-email', 'me@example.com');
    await typeInto('register-display-name', 'Me');
    await typeInto('register-password', 'password123');
    await press('register-submit');
    await findTestId('register-email-error');
    expect(mocked.register).toHaveBeenCalledWith('me@example.com', 'Me', 'password123');
  });
});
