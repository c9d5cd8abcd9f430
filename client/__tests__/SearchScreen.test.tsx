import * as searchApi from '../src/api/search';
import type { SearchHit } from '../src/api/types';
import { SearchScreen } from '../src/screens/Search/SearchScreen';
import { signedIn } from '../src/state/auth';
import { makeStore } from '../src/state/store';
import { me } from './helpers/fixtures';
import { renderScreen } from './helpers/render';
import { findTestId, press, queryTestId, textOf, typeInto, waitFor } from './helpers/ui';

jest.mock('../src/api/search');
const mocked = searchApi as jest.Mocked<typeof searchApi>;

const hit: SearchHit = {
  kind: 'message',
  conversation_id: 7,
  message_id: 70,
  seq: 12,
  message_kind: 'text',
  sender_id: 3,
  ticket_id: 5,
  ticket_number: 9,
  ticket_subject: 'Missing paperwork',
  snippet: [{ text: 'The ' }, { text: '請求', hit: true }, { text: '書 never came' }],
  score: 250,
  created_at: '2026-12-01T10:00:00.000Z',
};

async function open() {
  const store = makeStore();
  store.dispatch(signedIn(me));
  await renderScreen(SearchScreen, { store });
}

describe('Search screen', () => {
  it('searches as you type, marks the matched words and pages on', async () => {
    mocked.search
      .mockResolvedValueOnce({ items: [hit], next_cursor: 'c1' })
      .mockResolvedValueOnce({ items: [{ ...hit, message_id: 71, seq: 13 }] });
    await open();
    expect(queryTestId('search-hit-0')).toBeNull();
    await typeInto('search-input', ' 請求 ');
    await findTestId('search-hit-0');
    expect(mocked.search).toHaveBeenLastCalledWith({ q: '請求' });
    expect(textOf('search-hit-0')).toContain('Ticket #9: Missing paperwork');
    expect(textOf('search-hit-0-snippet-mark')).toBe('請求');
    await press('search-more');
    await findTestId('search-hit-1');
    expect(mocked.search).toHaveBeenLastCalledWith({ q: '請求', cursor: 'c1' });
    expect(queryTestId('search-more')).toBeNull();
  });

  it('sends the filters and says when nothing is found', async () => {
    mocked.search.mockResolvedValue({ items: [] });
    await open();
    await typeInto('search-input', 'refund');
    await press('search-status-closed');
    await press('search-from-me');
    await findTestId('search-empty');
    await waitFor(() =>
      expect(mocked.search).toHaveBeenLastCalledWith({
        q: 'refund',
        ticket_status: 'closed',
        from: me.id,
      }),
    );
  });
});
