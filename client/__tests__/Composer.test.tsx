import { Platform } from 'react-native';

import { Composer } from '../src/screens/Chat/Composer';
import { MessageBubble } from '../src/screens/Chat/MessageBubble';
import { linkify } from '../src/lib/linkify';
import { message } from './helpers/fixtures';
import { renderWithApp } from './helpers/render';
import {
  textsByRole,
  isMultiline,
  press,
  pressKey,
  queryTestId,
  textOf,
  typeInto,
} from './helpers/ui';

const web = Platform.OS === 'web';

async function renderComposer() {
  const onSend = jest.fn();
  await renderWithApp(
    <Composer testID="composer" allowNotes={false} onSend={onSend} onTyping={jest.fn()} />,
  );
  return onSend;
}

describe('Composer', () => {
  it('is a multi-line field that keeps line breaks', async () => {
    const onSend = await renderComposer();
    expect(isMultiline('composer-input')).toBe(true);
    await typeInto('composer-input', '  first line\nsecond line\n');
    await press('composer-send');
    expect(onSend).toHaveBeenCalledWith('first line\nsecond line', [], 'text');
  });

  (web ? it : it.skip)('web: Enter sends, Shift+Enter does not', async () => {
    const onSend = await renderComposer();
    await typeInto('composer-input', 'hello');
    await pressKey('composer-input', 'Enter', { shift: true });
    expect(onSend).not.toHaveBeenCalled();
    await pressKey('composer-input', 'Enter');
    expect(onSend).toHaveBeenCalledWith('hello', [], 'text');
  });

  (web ? it.skip : it)('Android: the return key never sends (it starts a new line)', async () => {
    const onSend = await renderComposer();
    await typeInto('composer-input', 'hello');
    await pressKey('composer-input', 'Enter');
    expect(onSend).not.toHaveBeenCalled();
  });
});

describe('message bodies', () => {
  it('keep line breaks, link web addresses and never interpret markup', async () => {
    await renderWithApp(
      <MessageBubble
        testID="bubble"
        mine={false}
        senderName="Ana"
        message={message(1, {
          body: 'see https://example.com/help.\n<b>not bold</b> javascript:alert(1)',
        })}
      />,
    );
    expect(textOf('bubble-body')).toBe(
      'see https://example.com/help.\n<b>not bold</b> javascript:alert(1)',
    );
    const links = textsByRole('link');
    expect(links).toEqual(['https://example.com/help']);
    expect(queryTestId('bubble-failure')).toBeNull();
  });
});

describe('linkify', () => {
  it('finds http(s) addresses and leaves sentence punctuation out', () => {
    expect(linkify('go to https://a.example/x?y=1, then (http://b.example/z).')).toEqual([
      { kind: 'text', text: 'go to ' },
      { kind: 'link', text: 'https://a.example/x?y=1', url: 'https://a.example/x?y=1' },
      { kind: 'text', text: ', then (' },
      { kind: 'link', text: 'http://b.example/z', url: 'http://b.example/z' },
      { kind: 'text', text: ').' },
    ]);
  });

  it('keeps a parenthesis that is part of the address', () => {
    expect(linkify('https://en.wikipedia.org/wiki/Foo_(bar)')).toEqual([
      {
        kind: 'link',
        text: 'https://en.wikipedia.org/wiki/Foo_(bar)',
        url: 'https://en.wikipedia.org/wiki/Foo_(bar)',
      },
    ]);
  });

  it('never links other schemes', () => {
    expect(linkify('javascript:alert(1) data:text/html,x file:///etc/passwd')).toEqual([
      { kind: 'text', text: 'javascript:alert(1) data:text/html,x file:///etc/passwd' },
    ]);
  });
});
