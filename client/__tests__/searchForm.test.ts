import type { SearchHit } from '../src/api/types';
import {
  EMPTY_FORM,
  MAX_QUERY,
  hitTarget,
  searchParams,
  snippetText,
} from '../src/screens/Search/searchForm';

const NOW = Date.UTC(2026, 11, 2, 12, 30, 45);

function hit(extra: Partial<SearchHit> = {}): SearchHit {
  return {
    kind: 'message',
    conversation_id: 7,
    message_id: 70,
    seq: 12,
    message_kind: 'text',
    sender_id: 3,
    snippet: [{ text: 'the ' }, { text: 'invoice', hit: true }, { text: ' is late' }],
    score: 400,
    created_at: '2026-12-01T10:00:00.000Z',
    ...extra,
  };
}

describe('search form', () => {
  it('asks nothing until there is text, and trims it', () => {
    expect(searchParams(EMPTY_FORM, 1, NOW)).toBeNull();
    expect(searchParams({ ...EMPTY_FORM, text: '   ' }, 1, NOW)).toBeNull();
    expect(searchParams({ ...EMPTY_FORM, text: '  請求 ' }, 1, NOW)).toEqual({ q: '請求' });
  });

  it('never sends more than the server accepts', () => {
    const p = searchParams({ ...EMPTY_FORM, text: '发'.repeat(500) }, 1, NOW);
    expect(Array.from(p!.q)).toHaveLength(MAX_QUERY);
  });

  it('turns the filters into parameters', () => {
    expect(
      searchParams({ text: 'refund', status: 'closed', period: 'week', mineOnly: true }, 42, NOW),
    ).toEqual({
      q: 'refund',
      ticket_status: 'closed',
      // Seven days back, to the minute (the same form asks the same thing all minute long).
      after: '2026-11-25T12:30:00.000Z',
      from: 42,
    });
    expect(searchParams({ ...EMPTY_FORM, text: 'x', period: 'month' }, 42, NOW)?.after).toBe(
      '2026-11-02T12:30:00.000Z',
    );
    // Not signed in: no sender filter rather than a wrong one.
    expect(searchParams({ ...EMPTY_FORM, text: 'x', mineOnly: true }, undefined, NOW)).toEqual({
      q: 'x',
    });
  });
});

describe('search hits', () => {
  it('open a ticket or a direct conversation at the message', () => {
    expect(hitTarget(hit({ ticket_id: 5, ticket_number: 9 }))).toEqual({
      screen: 'TicketDetail',
      params: { id: 5, seq: 12 },
    });
    expect(hitTarget(hit())).toEqual({ screen: 'Chat', params: { id: 7, seq: 12 } });
    // A subject: the ticket, from the top.
    expect(
      hitTarget(hit({ kind: 'ticket', message_id: undefined, seq: undefined, ticket_id: 5 })),
    ).toEqual({ screen: 'TicketDetail', params: { id: 5 } });
  });

  it('read as one text', () => {
    expect(snippetText(hit())).toBe('the invoice is late');
  });
});
