import * as auditApi from '../src/api/audit';
import type { AuditEntry } from '../src/api/types';
import { AuditLogScreen } from '../src/screens/Admin/AuditLogScreen';
import { adminSections } from '../src/screens/Admin/sections';
import { signedIn } from '../src/state/auth';
import { makeStore } from '../src/state/store';
import { agent } from './helpers/fixtures';
import { renderScreen } from './helpers/render';
import { findTestId, press, queryTestId, textOf, typeInto, waitFor } from './helpers/ui';

jest.mock('../src/api/audit');
// The projects' `testTimeout` in jest.config.js is not applied (jest reads it only at the top
// level): on a busy machine the first render alone can pass the default 5 s.
jest.setTimeout(20_000);
const mocked = auditApi as jest.Mocked<typeof auditApi>;

const boss = { id: 9, display_name: 'Boss', role: 'admin' as const, avatar_url: '/a/9' };

function entry(id: number, extra: Partial<AuditEntry> = {}): AuditEntry {
  return {
    id,
    created_at: '2026-12-02T09:00:00Z',
    actor: boss,
    actor_email: null,
    action: 'user.role_changed',
    target_kind: 'user',
    target_id: '4',
    details: { old: 'customer', new: 'agent' },
    ip: '10.0.0.7',
    ...extra,
  };
}

async function open() {
  const store = makeStore();
  store.dispatch(signedIn({ ...agent, role: 'admin' }));
  await renderScreen(AuditLogScreen, { store });
}

describe('Audit log screen', () => {
  it('is listed in the admin area', () => {
    expect(adminSections.map((s) => s.route)).toContain('AuditLog');
  });

  it('shows who did what to what, from where, and a failed sign-in by the email tried', async () => {
    mocked.listAudit.mockResolvedValue({
      items: [
        entry(2),
        entry(1, {
          actor: null,
          actor_email: 'mallory@example.com',
          action: 'auth.sign_in_failed',
          target_kind: null,
          target_id: null,
          details: { reason: 'unknown_email' },
        }),
      ],
      next_cursor: null,
    });
    await open();
    await findTestId('audit-row-2');
    expect(textOf('audit-row-2')).toContain('user.role_changed');
    expect(textOf('audit-row-2')).toContain('Boss → user 4');
    expect(textOf('audit-row-2')).toContain('"new":"agent"');
    expect(textOf('audit-row-2')).toContain('10.0.0.7');
    expect(textOf('audit-row-1')).toContain('Someone trying mallory@example.com');
    expect(queryTestId('audit-more')).toBeNull();
    expect(mocked.listAudit).toHaveBeenCalledWith({}, null);
  });

  it('applies the filters and loads older pages below with the cursor', async () => {
    mocked.listAudit
      .mockResolvedValueOnce({ items: [entry(5)], next_cursor: null })
      .mockResolvedValueOnce({ items: [entry(4), entry(3)], next_cursor: 3 })
      .mockResolvedValueOnce({ items: [entry(2)], next_cursor: null });
    await open();
    await findTestId('audit-row-5');
    await typeInto('audit-filter-action_prefix', 'user.');
    await typeInto('audit-filter-target_id', '4');
    await press('audit-apply');
    await findTestId('audit-row-3');
    expect(queryTestId('audit-row-5')).toBeNull();
    expect(mocked.listAudit).toHaveBeenLastCalledWith(
      { action_prefix: 'user.', target_id: '4' },
      null,
    );
    await press('audit-more');
    await findTestId('audit-row-2');
    expect(mocked.listAudit).toHaveBeenLastCalledWith(
      { action_prefix: 'user.', target_id: '4' },
      3,
    );
    expect(queryTestId('audit-row-4')).not.toBeNull();
    await waitFor(() => expect(queryTestId('audit-more')).toBeNull());
  });

  it('says so when the server refuses or nothing matches', async () => {
    mocked.listAudit.mockResolvedValueOnce({ items: [], next_cursor: null });
    await open();
    await findTestId('audit-empty');
    mocked.listAudit.mockRejectedValueOnce(
      Object.assign(new Error('status 400'), {
        isAxiosError: true,
        response: {
          status: 400,
          data: { error: { code: 'validation_failed', message: 'from: must be an RFC 3339 time' } },
          headers: {},
        },
      }),
    );
    await typeInto('audit-filter-from', 'yesterday');
    await press('audit-apply');
    await findTestId('audit-error');
  });
});
