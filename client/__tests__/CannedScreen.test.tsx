import * as cannedApi from '../src/api/canned';
import type { CannedResponse } from '../src/api/types';
import { CannedResponsesScreen } from '../src/screens/CannedResponses/CannedResponsesScreen';
import { signedIn } from '../src/state/auth';
import { makeStore } from '../src/state/store';
import { agent } from './helpers/fixtures';
import { renderScreen } from './helpers/render';
import { findTestId, press, queryTestId, textOf, typeInto, waitFor } from './helpers/ui';

jest.mock('../src/api/canned');
const mocked = cannedApi as jest.Mocked<typeof cannedApi>;

const mine: CannedResponse = {
  id: 1,
  shortcut: 'refund',
  title: 'Refund on its way',
  body: 'Hi {{customer.name}}, your refund is on its way.',
  shared: false,
  created_at: '2026-12-01T10:00:00Z',
  updated_at: '2026-12-01T10:00:00Z',
};
const desk: CannedResponse = { ...mine, id: 2, shortcut: 'hours', title: 'Hours', shared: true };

async function open(role: 'agent' | 'admin' = 'agent') {
  const store = makeStore();
  store.dispatch(signedIn({ ...agent, role }));
  await renderScreen(CannedResponsesScreen, { store });
}

/** An axios-like rejection carrying the protocol's error body. */
function apiError(status: number, error: object) {
  return Object.assign(new Error(`status ${status}`), {
    isAxiosError: true,
    response: { status, data: { error }, headers: {} },
  });
}

describe('Canned responses screen', () => {
  it('lists them; an agent may change their own, not the shared ones, and never shares', async () => {
    mocked.listCannedResponses.mockResolvedValue([desk, mine]);
    await open();
    await findTestId('canned-row-1');
    expect(textOf('canned-row-2')).toContain('/hours');
    expect(queryTestId('canned-shared-2')).not.toBeNull();
    expect(queryTestId('canned-edit-1')).not.toBeNull();
    expect(queryTestId('canned-edit-2')).toBeNull();
    expect(queryTestId('canned-delete-2')).toBeNull();
    await press('canned-new');
    expect(queryTestId('canned-form-shared')).toBeNull();
  });

  it('an admin may change shared ones and sees the "shared with the desk" switch', async () => {
    mocked.listCannedResponses.mockResolvedValue([desk, mine]);
    await open('admin');
    await findTestId('canned-edit-2');
    await press('canned-new');
    expect(queryTestId('canned-form-shared')).not.toBeNull();
  });

  it('creates one, showing the server’s field errors under their fields, and reloads the list', async () => {
    mocked.listCannedResponses.mockResolvedValueOnce([]);
    mocked.createCannedResponse
      .mockRejectedValueOnce(
        apiError(422, {
          code: 'validation_failed',
          message: 'invalid input',
          fields: { shortcut: 'must be 1 to 32 of a-z, 0-9, - and _' },
        }),
      )
      .mockRejectedValueOnce(
        apiError(409, { code: 'conflict', message: 'a response with this shortcut exists' }),
      )
      .mockResolvedValue(mine);
    await open();
    await findTestId('canned-empty');
    await press('canned-new');
    await typeInto('canned-form-shortcut', 'Re fund!');
    await typeInto('canned-form-title', 'Refund on its way');
    await typeInto('canned-form-body', mine.body);
    await press('canned-form-save');
    await findTestId('canned-form-shortcut-error');
    expect(textOf('canned-form-shortcut-error')).toBe('must be 1 to 32 of a-z, 0-9, - and _');
    expect(mocked.createCannedResponse).toHaveBeenLastCalledWith({
      shortcut: 'Re fund!',
      title: 'Refund on its way',
      body: mine.body,
    });

    await typeInto('canned-form-shortcut', 'refund');
    await press('canned-form-save');
    await waitFor(() =>
      expect(textOf('canned-form-shortcut-error')).toBe(
        'You already have a response with this shortcut.',
      ),
    );

    mocked.listCannedResponses.mockResolvedValue([mine]);
    await press('canned-form-save');
    await findTestId('canned-row-1');
    expect(queryTestId('canned-form')).toBeNull();
  });

  it('edits and deletes, and the list follows', async () => {
    mocked.listCannedResponses.mockResolvedValueOnce([mine]);
    mocked.updateCannedResponse.mockResolvedValue({ ...mine, title: 'Refund sent' });
    mocked.deleteCannedResponse.mockResolvedValue(undefined);
    await open();
    await findTestId('canned-row-1');
    await press('canned-edit-1');
    await typeInto('canned-form-title', 'Refund sent');
    mocked.listCannedResponses.mockResolvedValueOnce([{ ...mine, title: 'Refund sent' }]);
    await press('canned-form-save');
    expect(mocked.updateCannedResponse).toHaveBeenCalledWith(1, {
      shortcut: 'refund',
      title: 'Refund sent',
      body: mine.body,
    });
    await waitFor(() => expect(textOf('canned-row-1')).toContain('Refund sent'));

    await press('canned-delete-1');
    mocked.listCannedResponses.mockResolvedValue([]);
    await press('canned-delete-confirm-1');
    expect(mocked.deleteCannedResponse).toHaveBeenCalledWith(1);
    await findTestId('canned-empty');
  });
});
