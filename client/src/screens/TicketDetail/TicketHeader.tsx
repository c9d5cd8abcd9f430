import { useMemo, useRef, useState } from 'react';
import { StyleSheet, Text, View } from 'react-native';

import { toApiFailure } from '../../api/client';
import { patchTicket, type TicketPatch } from '../../api/tickets';
import { PRIORITIES, STATUSES, type Id, type Ticket, type TicketEvent } from '../../api/types';
import { PriorityBadge, StatusBadge } from '../../components/Badge';
import { Button } from '../../components/Button';
import { Chips } from '../../components/Chips';
import { MuteButton } from '../../components/MuteButton';
import { ErrorText } from '../../components/Screen';
import { formatTime, t } from '../../i18n';
import { useShortcuts } from '../../lib/shortcuts';
import { useAppDispatch, useAppSelector } from '../../state/hooks';
import { selectTeams, ticketReceived } from '../../state/queries/tickets';
import { useTheme } from '../../theme';
import { CallButtons } from '../Call/CallButtons';
import { formatLeft } from '../Tickets/sla';
import { CsatCard } from './CsatCard';
import { describeEvent, type Names } from './history';
import { TicketExport } from './TicketExport';

export function TicketHeader({
  ticket,
  events,
  shortcuts = false,
}: {
  ticket: Ticket;
  events: TicketEvent[] | undefined;
  /** Keyboard shortcuts a (assign to me) and s (status) are on (the screen is focused; web). */
  shortcuts?: boolean;
}) {
  const dispatch = useAppDispatch();
  const { colors, radius } = useTheme();
  const me = useAppSelector((s) => s.auth.user);
  const teams = useAppSelector(selectTeams);
  const isStaff = me?.role === 'agent' || me?.role === 'admin';
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [showHistory, setShowHistory] = useState(false);

  const change = async (patch: TicketPatch) => {
    setBusy(true);
    setError(null);
    try {
      const next = await patchTicket(ticket.id, ticket.version, patch);
      dispatch(ticketReceived({ ticket: next, myId: me?.id ?? null }));
    } catch (e) {
      const f = toApiFailure(e);
      if (f.code === 'conflict' && f.body?.current) {
        dispatch(ticketReceived({ ticket: f.body.current, myId: me?.id ?? null }));
        setError(t('ticket.conflict'));
      } else {
        setError(f.message);
      }
    } finally {
      setBusy(false);
    }
  };

  // Internal targets: customers don't see them (a breached "due" would only alarm them).
  const statusChips = useRef<View>(null);
  const takeIt = () =>
    void change({
      assignee_id: me!.id,
      ...(ticket.status === 'open' ? { status: 'in_progress' } : {}),
    });
  useShortcuts(
    {
      a: () => {
        if (!busy && ticket.assignee?.id !== me?.id) takeIt();
      },
      s: () => statusChips.current?.focus(),
    },
    shortcuts && isStaff,
  );
  // Customers' copies carry no due times; a stale cached copy must not show them either.
  const sla = isStaff ? (ticket.sla ?? null) : null;
  const members = useAppSelector(
    (s) => s.conversations.byId[String(ticket.conversation_id)]?.members,
  );
  const names = useMemo<Names>(() => {
    const users = new Map<Id, string>();
    teams.forEach((tm) => tm.members.forEach((u) => users.set(u.id, u.display_name)));
    members?.forEach((m) => users.set(m.user_id, m.display_name));
    (events ?? []).forEach((ev) => users.set(ev.actor.id, ev.actor.display_name));
    users.set(ticket.requester.id, ticket.requester.display_name);
    if (ticket.assignee) users.set(ticket.assignee.id, ticket.assignee.display_name);
    const teamNames = new Map<Id, string>(teams.map((tm) => [tm.id, tm.name]));
    if (ticket.team) teamNames.set(ticket.team.id, ticket.team.name);
    return { users, teams: teamNames };
  }, [teams, members, events, ticket.requester, ticket.assignee, ticket.team]);
  // Calls are between the requester and the assignee (docs/protocol.md, "Calls").
  const callee =
    ticket.assignee && me?.id === ticket.requester.id
      ? ticket.assignee
      : ticket.assignee && me?.id === ticket.assignee.id && me.id !== ticket.requester.id
        ? ticket.requester
        : null;
  // Within a team, a ticket can be assigned to any of the team's agents.
  const teamMembers = (teams.find((tm) => tm.id === ticket.team?.id)?.members ?? []).filter(
    (u) => u.role !== 'customer',
  );
  return (
    <View
      testID="ticket-header"
      style={[
        styles.card,
        { backgroundColor: colors.surface, borderColor: colors.border, borderRadius: radius },
      ]}
    >
      <Text
        testID="ticket-subject"
        accessibilityRole="header"
        style={[styles.subject, { color: colors.text }]}
      >
        #{ticket.number} {ticket.subject}
      </Text>
      <View style={styles.badges}>
        <StatusBadge status={ticket.status} testID="ticket-status" />
        <PriorityBadge priority={ticket.priority} testID="ticket-priority" />
        <Text testID="ticket-assignee" style={{ color: colors.textMuted }}>
          {ticket.assignee
            ? t('tickets.assignedTo', { name: ticket.assignee.display_name })
            : t('tickets.unassigned')}
          {ticket.team ? ` · ${ticket.team.name}` : ''}
        </Text>
      </View>
      <Text style={{ color: colors.textMuted, marginTop: 4 }}>
        {t('ticket.requester', { name: ticket.requester.display_name })}
      </Text>
      <View style={styles.actions}>
        {callee ? (
          <CallButtons conversationId={ticket.conversation_id} peerName={callee.display_name} />
        ) : null}
        <MuteButton conversationId={ticket.conversation_id} />
      </View>
      {sla ? (
        <View testID="ticket-sla" style={styles.sla}>
          {ticket.first_response_at ? (
            <Text style={{ color: colors.textMuted }}>
              {t('ticket.sla.met', { time: formatTime(ticket.first_response_at) })}
            </Text>
          ) : sla.first_response_due ? (
            <Text style={{ color: sla.first_response_breached ? colors.danger : colors.textMuted }}>
              {t('ticket.sla.firstResponse', { time: formatTime(sla.first_response_due) })}
              {sla.first_response_breached ? ` (${t('ticket.sla.breached')})` : ''}
            </Text>
          ) : null}
          {sla.resolution_due && sla.resolution_paused_since && !sla.resolution_breached ? (
            <Text testID="ticket-sla-paused" style={{ color: colors.textMuted }}>
              {t('ticket.sla.paused', {
                time: formatLeft(
                  Date.parse(sla.resolution_due) - Date.parse(sla.resolution_paused_since),
                ),
              })}
            </Text>
          ) : sla.resolution_due && ticket.status !== 'closed' ? (
            <Text
              testID="ticket-sla-resolution"
              style={{ color: sla.resolution_breached ? colors.danger : colors.textMuted }}
            >
              {t('ticket.sla.resolution', { time: formatTime(sla.resolution_due) })}
              {sla.resolution_breached ? ` (${t('ticket.sla.breached')})` : ''}
            </Text>
          ) : null}
        </View>
      ) : null}
      {isStaff ? (
        <View style={styles.controls}>
          <Chips
            testID="ticket-set-status"
            focusRef={statusChips}
            label={t('ticket.status')}
            value={ticket.status}
            disabled={busy}
            onChange={(status) => status !== ticket.status && void change({ status })}
            options={STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) }))}
          />
          <Chips
            testID="ticket-set-priority"
            label={t('ticket.priority')}
            value={ticket.priority}
            disabled={busy}
            onChange={(priority) => priority !== ticket.priority && void change({ priority })}
            options={PRIORITIES.map((p) => ({ value: p, label: t(`priority.${p}`) }))}
          />
          {teams.length ? (
            <Chips
              testID="ticket-set-team"
              label={t('ticket.team')}
              value={ticket.team ? String(ticket.team.id) : 'none'}
              disabled={busy}
              onChange={(v) => void change({ team_id: v === 'none' ? null : Number(v) })}
              options={[
                { value: 'none', label: t('common.none') },
                ...teams.map((tm) => ({ value: String(tm.id), label: tm.name })),
              ]}
            />
          ) : null}
          {teamMembers.length ? (
            <Chips
              testID="ticket-set-assignee"
              label={t('ticket.assignee')}
              value={ticket.assignee ? String(ticket.assignee.id) : 'none'}
              disabled={busy}
              onChange={(v) => void change({ assignee_id: v === 'none' ? null : Number(v) })}
              options={[
                { value: 'none', label: t('tickets.unassigned') },
                ...teamMembers.map((u) => ({ value: String(u.id), label: u.display_name })),
              ]}
            />
          ) : null}
          <View style={styles.buttons}>
            {ticket.assignee?.id !== me?.id ? (
              <Button
                compact
                title={t('ticket.takeIt')}
                testID="ticket-take"
                busy={busy}
                onPress={takeIt}
              />
            ) : null}
            {ticket.assignee ? (
              <Button
                compact
                variant="secondary"
                title={t('ticket.unassign')}
                testID="ticket-unassign"
                busy={busy}
                onPress={() => void change({ assignee_id: null })}
              />
            ) : null}
          </View>
        </View>
      ) : (
        <View style={styles.buttons}>
          {ticket.status === 'closed' ? (
            <Button
              compact
              variant="secondary"
              title={t('ticket.reopen')}
              testID="ticket-reopen"
              busy={busy}
              onPress={() => void change({ status: 'open' })}
            />
          ) : (
            <Button
              compact
              variant="secondary"
              title={t('ticket.close')}
              testID="ticket-close"
              busy={busy}
              onPress={() => void change({ status: 'closed' })}
            />
          )}
        </View>
      )}
      <ErrorText testID="ticket-error">{error}</ErrorText>
      <Button
        variant="link"
        compact
        title={showHistory ? t('ticket.hideHistory') : t('ticket.history')}
        testID="ticket-history-toggle"
        onPress={() => setShowHistory((v) => !v)}
        style={{ alignSelf: 'flex-start' }}
      />
      {showHistory ? (
        <View testID="ticket-history">
          {(events ?? []).map((ev) => (
            <Text
              key={ev.id}
              testID={`ticket-event-${ev.id}`}
              style={{ color: colors.textMuted, fontSize: 12, marginVertical: 2 }}
            >
              {formatTime(ev.created_at)} · {describeEvent(ev, names)}
            </Text>
          ))}
        </View>
      ) : null}
      <CsatCard ticket={ticket} />
      {me?.role === 'admin' ? <TicketExport ticket={ticket} /> : null}
    </View>
  );
}

const styles = StyleSheet.create({
  actions: { flexDirection: 'row', flexWrap: 'wrap', alignItems: 'flex-end', gap: 8 },
  card: { borderWidth: 1, padding: 12, marginBottom: 12 },
  subject: { fontSize: 18, fontWeight: '700' },
  badges: { flexDirection: 'row', alignItems: 'center', marginTop: 6, flexWrap: 'wrap' },
  sla: { marginTop: 6, gap: 2 },
  controls: { marginTop: 8, gap: 4 },
  buttons: { flexDirection: 'row', gap: 8, marginTop: 8 },
});
