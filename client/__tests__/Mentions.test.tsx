import { Platform } from 'react-native';

import * as peopleApi from '../src/api/people';
import type { User } from '../src/api/types';
import { Composer } from '../src/screens/Chat/Composer';
import { filterStaff, findMentionQuery, insertMention } from '../src/screens/Chat/mentionQuery';
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

jest.mock('../src/api/people');
const mocked = peopleApi as jest.Mocked<typeof peopleApi>;
const web = Platform.OS === 'web';

const person = (id: number, name: string, role: User['role'], extra: Partial<User> = {}): User => ({
  ...me,
  id,
  display_name: name,
  role,
  ...extra,
});
const alice = person(10, 'Alice Smith', 'agent');
const alan = person(11, 'Alan Customer', 'customer');
const albert = person(12, 'Albert Admin', 'admin');
const gone = person(13, 'Alfred Gone', 'agent', { disabled: true });

describe('finding the @name', () => {
  it('starts at an @ at the start or after a non-letter, spaces allowed in the name', () => {
    expect(findMentionQuery('@al')).toEqual({ start: 0, end: 3, query: 'al' });
    expect(findMentionQuery('Ask (@Alice Sm')).toEqual({ start: 5, end: 14, query: 'Alice Sm' });
    expect(findMentionQuery('hi @al and more', 6)).toEqual({ start: 3, end: 6, query: 'al' });
    expect(findMentionQuery('@')).toEqual({ start: 0, end: 1, query: '' });
  });

  it('is not an address, a space after @, a new line or a second @', () => {
    expect(findMentionQuery('mail ana@exam')).toBeNull();
    expect(findMentionQuery('@ ana')).toBeNull();
    expect(findMentionQuery('@ana\nnext')).toBeNull();
    expect(findMentionQuery('plain')).toBeNull();
  });

  it('offers staff but me and the disabled, by name prefix in any case', () => {
    const users = [alan, albert, alice, gone, person(agent.id, 'Al Me', 'agent')];
    expect(filterStaff(users, 'AL', agent.id).map((u) => u.id)).toEqual([albert.id, alice.id]);
    expect(filterStaff(users, 'alice s', agent.id)).toEqual([alice]);
    expect(filterStaff(users, 'zed', agent.id)).toEqual([]);
  });

  it('writes the full name and a space, the caret after it', () => {
    const at = findMentionQuery('Ask @al now', 7)!;
    expect(insertMention('Ask @al now', at, 'Alice Smith')).toEqual({
      text: 'Ask @Alice Smith  now',
      caret: 17,
    });
  });
});

async function renderComposer() {
  const store = makeStore();
  store.dispatch(signedIn(agent));
  const onSend = jest.fn();
  await renderWithApp(
    <Composer
      testID="composer"
      allowNotes
      conversationId={70}
      onSend={onSend}
      onTyping={jest.fn()}
    />,
    { store },
  );
  return onSend;
}

describe('mentions in the composer', () => {
  beforeEach(() => {
    mocked.searchUsers.mockResolvedValue({ items: [alan, albert, alice, gone] });
  });

  it('offers staff after @ in a note and a tap writes the name', async () => {
    const onSend = await renderComposer();
    await press('composer-mode-note');
    await typeInto('composer-input', 'Please @al');
    await findTestId('composer-mentions-10');
    expect(mocked.searchUsers).toHaveBeenCalledWith('al');
    expect(queryTestId('composer-mentions-12')).not.toBeNull();
    expect(queryTestId('composer-mentions-11')).toBeNull(); // a customer
    expect(queryTestId('composer-mentions-13')).toBeNull(); // disabled
    await typeInto('composer-input', 'Please @alice s');
    await waitFor(() => expect(queryTestId('composer-mentions-12')).toBeNull());
    await press('composer-mentions-10');
    expect(valueOf('composer-input')).toBe('Please @Alice Smith ');
    expect(queryTestId('composer-mentions')).toBeNull();
    await press('composer-send');
    expect(onSend).toHaveBeenCalledWith('Please @Alice Smith', [], 'note');
  });

  it('never offers names in a public reply', async () => {
    await renderComposer();
    await typeInto('composer-input', 'Hi @al');
    expect(queryTestId('composer-mentions')).toBeNull();
    expect(mocked.searchUsers).not.toHaveBeenCalled();
  });

  (web ? it : it.skip)('web: arrows move, Enter writes the name, Esc closes', async () => {
    const onSend = await renderComposer();
    await press('composer-mode-note');
    await typeInto('composer-input', '@al');
    await findTestId('composer-mentions-12');
    expect(isSelected('composer-mentions-12')).toBe(true);
    await pressKey('composer-input', 'ArrowDown');
    expect(isSelected('composer-mentions-10')).toBe(true);
    await pressKey('composer-input', 'Enter');
    expect(onSend).not.toHaveBeenCalled();
    expect(valueOf('composer-input')).toBe('@Alice Smith ');

    await typeInto('composer-input', '@Alice Smith and @al');
    await findTestId('composer-mentions-12');
    await pressKey('composer-input', 'Escape');
    expect(queryTestId('composer-mentions')).toBeNull();
    await pressKey('composer-input', 'Enter');
    expect(onSend).toHaveBeenCalledWith('@Alice Smith and @al', [], 'note');
  });
});
