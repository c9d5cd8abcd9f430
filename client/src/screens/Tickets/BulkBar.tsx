import { useMemo, useState } from 'react';
import { StyleSheet, Text, View } from 'react-native';

import type { TicketPatch } from '../../api/tickets';
import { PRIORITIES, STATUSES, type Ticket, type UserSummary } from '../../api/types';
import { Button } from '../../components/Button';
import { Chips } from '../../components/Chips';
import { TextField } from '../../components/TextField';
import { t } from '../../i18n';
import { applyToTickets, type BulkResult } from '../../state/bulk';
import { useAppDispatch, useAppSelector } from '../../state/hooks';
import { selectTeams, ticketReceived } from '../../state/queries/tickets';
import { useTheme } from '../../theme';

/** One line for the whole batch: how many changed, and which failed with the server's reason. */
export function summarize(r: BulkResult): string {
  const total = r.updated.length + r.failed.length;
  const head = t('bulk.done', { count: r.updated.length, total });
  if (!r.failed.length) return head;
  const why = r.failed.map((f) => `#${f.ticket.number}: ${f.message}`).join('; ');
  return `${head} ${t('bulk.failed', { reasons: why })}`;
}

/** Actions on the selected tickets: assign, status, priority, tag. */
export function BulkBar({
  selected,
  onClear,
  onUpdated,
}: {
  selected: Ticket[];
  onClear: () => void;
  /** The tickets as changed (they stay selected even when they leave the list). */
  onUpdated?: (tickets: Ticket[]) => void;
}) {
  const { colors } = useTheme();
  const dispatch = useAppDispatch();
  const me = useAppSelector((s) => s.auth.user);
  const teams = useAppSelector(selectTeams);
  const [busy, setBusy] = useState(false);
  const [summary, setSummary] = useState<{ text: string; failed: boolean } | null>(null);
  const [tag, setTag] = useState('');
  // Anyone staff in the agent's view of the teams, and the agent first.
  const people = useMemo(() => {
    const byId = new Map<number, UserSummary>();
    teams.forEach((tm) =>
      tm.members.filter((u) => u.role !== 'customer').forEach((u) => byId.set(u.id, u)),
    );
    if (me) byId.delete(me.id);
    return [...byId.values()];
  }, [teams, me]);

  const run = async (change: (tk: Ticket) => TicketPatch) => {
    setBusy(true);
    setSummary(null);
    const result = await applyToTickets(selected, change);
    result.updated.forEach((tk) => dispatch(ticketReceived({ ticket: tk, myId: me?.id ?? null })));
    onUpdated?.(result.updated);
    setSummary({ text: summarize(result), failed: result.failed.length > 0 });
    setBusy(false);
  };
  const addTag = () => {
    const name = tag.trim().toLowerCase();
    if (!name) return;
    setTag('');
    void run((tk) => ({ tags: tk.tags.includes(name) ? tk.tags : [...tk.tags, name] }));
  };

  return (
    <View
      testID="tickets-bulk"
      style={[styles.bar, { borderColor: colors.border, backgroundColor: colors.surfaceAlt }]}
    >
      <View style={styles.row}>
        <Text testID="tickets-bulk-count" style={{ color: colors.text, fontWeight: '600' }}>
          {t('bulk.selected', { count: selected.length })}
        </Text>
        <Button
          compact
          variant="link"
          title={t('bulk.clear')}
          testID="tickets-bulk-clear"
          onPress={onClear}
        />
      </View>
      <Chips
        testID="tickets-bulk-assign"
        label={t('bulk.assign')}
        value={null}
        disabled={busy || !selected.length}
        onChange={(v) => {
          const to = v === 'none' ? null : v === 'me' ? me!.id : Number(v);
          void run(() => ({ assignee_id: to }));
        }}
        options={[
          { value: 'me', label: t('bulk.assignMe') },
          ...people.map((u) => ({ value: String(u.id), label: u.display_name })),
          { value: 'none', label: t('tickets.unassigned') },
        ]}
      />
      <Chips
        testID="tickets-bulk-status"
        label={t('ticket.status')}
        value={null}
        disabled={busy || !selected.length}
        onChange={(status) => void run(() => ({ status }))}
        options={STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) }))}
      />
      <Chips
        testID="tickets-bulk-priority"
        label={t('ticket.priority')}
        value={null}
        disabled={busy || !selected.length}
        onChange={(priority) => void run(() => ({ priority }))}
        options={PRIORITIES.map((p) => ({ value: p, label: t(`priority.${p}`) }))}
      />
      <View style={styles.row}>
        <View style={styles.grow}>
          <TextField
            label={t('bulk.tag')}
            placeholder={t('bulk.tag')}
            testID="tickets-bulk-tag"
            value={tag}
            onChangeText={setTag}
            onSubmitEditing={addTag}
            hideLabel
          />
        </View>
        <Button
          compact
          title={t('bulk.addTag')}
          testID="tickets-bulk-tag-add"
          disabled={busy || !selected.length || !tag.trim()}
          onPress={addTag}
        />
      </View>
      {summary ? (
        <Text
          testID="tickets-bulk-summary"
          accessibilityLiveRegion="polite"
          style={{ color: summary.failed ? colors.danger : colors.textMuted }}
        >
          {summary.text}
        </Text>
      ) : null}
    </View>
  );
}

const styles = StyleSheet.create({
  bar: { borderWidth: 1, borderRadius: 8, padding: 8, marginTop: 8, gap: 4 },
  row: { flexDirection: 'row', alignItems: 'center', gap: 8 },
  grow: { flex: 1 },
});
