import { AxiosError, type InternalAxiosRequestConfig } from 'axios';

import { toApiFailure, type ApiFailure } from '../src/api/client';
import { formErrors } from '../src/components/useApiForm';

const failure = (over: Partial<ApiFailure>): ApiFailure => ({
  status: 422,
  code: 'validation',
  message: 'Some fields are not valid',
  ...over,
});

describe('toApiFailure', () => {
  it('passes an ApiFailure (what unwrap() throws) through unchanged', () => {
    const f = failure({ fields: { url: 'private address' } });
    expect(toApiFailure(f)).toBe(f);
  });

  it('still reads the protocol error out of an axios error', () => {
    const config = { headers: {} } as InternalAxiosRequestConfig;
    const response = {
      data: { error: { code: 'email_taken', message: 'taken' } },
      status: 409,
      statusText: '',
      headers: {},
      config,
    };
    const e = new AxiosError('fail', 'ERR_BAD_REQUEST', config, {}, response);
    expect(toApiFailure(e)).toMatchObject({ status: 409, code: 'email_taken', message: 'taken' });
  });

  it('turns any other thrown value into an unknown failure', () => {
    expect(toApiFailure(new Error('boom'))).toMatchObject({ code: 'unknown', status: null });
  });
});

describe('formErrors', () => {
  it('puts every field error under its field when no names are given', () => {
    expect(formErrors(failure({ fields: { email: 'bad', password: 'short' } }))).toEqual({
      fields: { email: 'bad', password: 'short' },
      form: null,
    });
  });

  it('keeps only the named fields, and falls back to the form text when none is left', () => {
    const f = failure({ fields: { url: 'private', other: 'x' } });
    expect(formErrors(f, ['url', 'events'])).toEqual({ fields: { url: 'private' }, form: null });
    expect(formErrors(failure({ fields: { other: 'x' } }), ['url'])).toEqual({
      fields: {},
      form: 'Some fields are not valid',
    });
  });

  it('uses the given text for a failure without fields', () => {
    const f = failure({ status: null, code: 'network', message: 'Network Error' });
    expect(formErrors(f, undefined, (x) => `text:${x.code}`)).toEqual({
      fields: {},
      form: 'text:network',
    });
  });
});

describe('formErrors with an empty fields object', () => {
  it('says what went wrong for the form rather than showing nothing', () => {
    expect(formErrors(failure({ fields: {} }))).toEqual({
      fields: {},
      form: 'Some fields are not valid',
    });
  });
});
