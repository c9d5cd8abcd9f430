import { Platform } from 'react-native';

import * as cannedApi from '../src/api/canned';
import type { CannedResponse } from '../src/api/types';
import { Composer } from '../src/screens/Chat/Composer';
import { filterCanned, findSlashQuery, insertAt } from '../src/screens/Chat/slashQuery';
import { signedIn } from '../src/state/auth';
import { makeStore } from '../src/state/store';
import { agent, me } from './helpers/fixtures';
import { renderWithApp } from './helpers/render';
import {
  findTestId,
  isSelected,
  press,
  pressKey,
  queryTestId,
  typeInto,
  valueOf,
  waitFor,
} from './helpers/ui';

jest.mock('../src/api/canned');
const mocked = cannedApi as jest.Mocked<typeof cannedApi>;
const web = Platform.OS === 'web';

function canned(id: number, shortcut: string, title: string, extra: Partial<CannedResponse> = {}) {
  return {
    id,
    shortcut,
    title,
    body: `body of ${shortcut}`,
    shared: false,
    created_at: '2026-12-01T10:00:00Z',
    updated_at: '2026-12-01T10:00:00Z',
    ...extra,
  };
}

const refund = canned(1, 'refund', 'Refund on its way', {
  body: 'Hi {{customer.name}}, your refund for #{{ticket.number}} is on its way.',
});
const reset = canned(2, 'reset', 'Password reset', { shared: true });
const thanks = canned(3, 'thanks', 'Thanks for the refund request');
const greet = canned(4, 'hello', 'Greeting');
const all = [thanks, greet, reset, refund];

describe('finding the /query', () => {
  it('opens at the start of the draft or after whitespace, up to the caret', () => {
    expect(findSlashQuery('/ref')).toEqual({ start: 0, end: 4, query: 'ref' });
    expect(findSlashQuery('Hello,\n/')).toEqual({ start: 7, end: 8, query: '' });
    expect(findSlashQuery('thanks /re and more', 10)).toEqual({ start: 7, end: 10, query: 're' });
  });

  it('stays shut inside words, addresses and after a space', () => {
    expect(findSlashQuery('and/or')).toBeNull();
    expect(findSlashQuery('see https://example.com/help')).toBeNull();
    expect(findSlashQuery('/ref ')).toBeNull();
    expect(findSlashQuery('plain text')).toBeNull();
  });

  it('replaces only the /query and puts the caret after the insert', () => {
    const slash = findSlashQuery('Hi /ref there', 7)!;
    expect(insertAt('Hi /ref there', slash, 'BODY')).toEqual({ text: 'Hi BODY there', caret: 7 });
  });
});

describe('filtering canned responses', () => {
  it('puts shortcut prefixes first (by shortcut), then titles that contain the text (by title)', () => {
    // "Greeting" and "Thanks for the refund request" contain "re" in their titles.
    expect(filterCanned(all, 're').map((c) => c.shortcut)).toEqual([
      'refund',
      'reset',
      'hello',
      'thanks',
    ]);
    expect(filterCanned(all, 'REF').map((c) => c.shortcut)).toEqual(['refund', 'thanks']);
  });

  it('offers everything for an empty query, by shortcut, and nothing for no match', () => {
    expect(filterCanned(all, '').map((c) => c.shortcut)).toEqual([
      'hello',
      'refund',
      'reset',
      'thanks',
    ]);
    expect(filterCanned(all, 'zzz')).toEqual([]);
  });
});

async function renderComposer(user = agent) {
  const store = makeStore();
  store.dispatch(signedIn(user));
  const onSend = jest.fn();
  await renderWithApp(
    <Composer
      testID="composer"
      allowNotes={false}
      conversationId={7}
      onSend={onSend}
      onTyping={jest.fn()}
    />,
    { store },
  );
  return onSend;
}

describe('the composer, for staff', () => {
  beforeEach(() => {
    mocked.listCannedResponses.mockResolvedValue(all);
    mocked.renderCannedResponse.mockResolvedValue(
      'Hi Carol Customer, your refund for #12 is on its way.',
    );
  });

  it('opens the list on /, filters it, and a tap inserts the rendered response', async () => {
    const onSend = await renderComposer();
    await typeInto('composer-input', 'Hello. /ref');
    await findTestId('composer-canned-1');
    expect(queryTestId('composer-canned-2')).toBeNull();
    // "thanks" matches by its title, after the shortcut match.
    expect(queryTestId('composer-canned-3')).not.toBeNull();
    await press('composer-canned-1');
    expect(mocked.renderCannedResponse).toHaveBeenCalledWith(1, 7);
    await waitFor(() =>
      expect(valueOf('composer-input')).toBe(
        'Hello. Hi Carol Customer, your refund for #12 is on its way.',
      ),
    );
    expect(queryTestId('composer-canned')).toBeNull();
    await press('composer-send');
    expect(onSend).toHaveBeenCalledWith(
      'Hello. Hi Carol Customer, your refund for #12 is on its way.',
      [],
      'text',
    );
  });

  it('says when nothing matches, and closes once the /word ends', async () => {
    await renderComposer();
    await typeInto('composer-input', '/zzz');
    await waitFor(() => expect(queryTestId('composer-canned-status')).not.toBeNull());
    await typeInto('composer-input', '/zzz ');
    expect(queryTestId('composer-canned')).toBeNull();
  });

  (web ? it : it.skip)('web: arrows move, Enter inserts, Esc closes', async () => {
    const onSend = await renderComposer();
    await typeInto('composer-input', '/re');
    await findTestId('composer-canned-1');
    expect(isSelected('composer-canned-1')).toBe(true);
    await pressKey('composer-input', 'ArrowDown');
    expect(isSelected('composer-canned-2')).toBe(true);
    await pressKey('composer-input', 'ArrowUp');
    await pressKey('composer-input', 'ArrowUp');
    // Wraps around to the last one (thanks, by its title).
    expect(isSelected('composer-canned-3')).toBe(true);
    await pressKey('composer-input', 'Enter');
    expect(onSend).not.toHaveBeenCalled();
    expect(mocked.renderCannedResponse).toHaveBeenCalledWith(3, 7);
    await waitFor(() => expect(valueOf('composer-input')).toContain('Carol Customer'));

    await typeInto('composer-input', '/he');
    await findTestId('composer-canned-4');
    await pressKey('composer-input', 'Escape');
    expect(queryTestId('composer-canned')).toBeNull();
    // Typing on keeps it closed; Enter sends what was typed.
    await typeInto('composer-input', '/hel');
    expect(queryTestId('composer-canned')).toBeNull();
    await pressKey('composer-input', 'Enter');
    expect(onSend).toHaveBeenCalledWith('/hel', [], 'text');
  });

  (web ? it : it.skip)('web: Tab inserts too', async () => {
    await renderComposer();
    await typeInto('composer-input', '/hello');
    await findTestId('composer-canned-4');
    await pressKey('composer-input', 'Tab');
    expect(mocked.renderCannedResponse).toHaveBeenCalledWith(4, 7);
  });

  it('shows a failed render and keeps the draft', async () => {
    mocked.renderCannedResponse.mockRejectedValue(new Error('boom'));
    await renderComposer();
    await typeInto('composer-input', '/refund');
    await findTestId('composer-canned-1');
    await press('composer-canned-1');
    await waitFor(() => expect(queryTestId('composer-canned-status')).not.toBeNull());
    expect(valueOf('composer-input')).toBe('/refund');
  });
});

describe('the composer, for customers', () => {
  it('never opens the list nor asks for canned responses', async () => {
    const onSend = await renderComposer(me);
    await typeInto('composer-input', '/refund');
    expect(queryTestId('composer-canned')).toBeNull();
    await press('composer-send');
    expect(onSend).toHaveBeenCalledWith('/refund', [], 'text');
    expect(mocked.listCannedResponses).not.toHaveBeenCalled();
    expect(mocked.renderCannedResponse).not.toHaveBeenCalled();
  });
});
