import { useIsFocused, useNavigation } from '@react-navigation/native';
import { useEffect, useMemo, useRef, useState } from 'react';
import { shallowEqual } from 'react-redux';
import {
  FlatList,
  Pressable,
  StyleSheet,
  useWindowDimensions,
  View,
  type TextInput,
} from 'react-native';

import { SORTS, type TicketSort } from '../../api/tickets';
import { failureText, type ApiFailure } from '../../api/client';
import {
  PRIORITIES,
  STATUSES,
  type Id,
  type Priority,
  type Team,
  type Ticket,
  type TicketCounts,
  type TicketStatus,
} from '../../api/types';
import { Button } from '../../components/Button';
import { Chips } from '../../components/Chips';
import { ErrorText, Muted, Title } from '../../components/Screen';
import { ShortcutsHelp } from '../../components/ShortcutsHelp';
import { TextField } from '../../components/TextField';
import { t } from '../../i18n';
import { useWideLayout } from '../../lib/layout';
import { useNow } from '../../lib/useNow';
import { useShortcuts } from '../../lib/shortcuts';
import { useAppDispatch, useAppSelector } from '../../state/hooks';
import {
  loadMoreTickets,
  selectTicket,
  useGetTeamsQuery,
  useListTicketsQuery,
} from '../../state/queries/tickets';
import { useRefetchOnFocus } from '../../state/queries/useRefetchOnFocus';
import { shownInTab, ticketQuery, type TicketTab } from '../../state/tickets';
import { useTheme } from '../../theme';
import { TicketPane } from '../TicketDetail/TicketPane';
import { BulkBar } from './BulkBar';
import { DenseTicketRow } from './DenseTicketRow';
import { TicketRow } from './TicketRow';
import { ViewsBar, type ViewFields } from './ViewsBar';
import { Icon } from '../../components/Icon';
import { unreadIn } from '../../state/unread';

type Any = 'any';
const NO_TEAMS: Team[] = [];
const NO_COUNTS: TicketCounts = { open: 0, in_progress: 0, pending: 0, closed: 0 };

export function TicketsScreen() {
  const navigation = useNavigation();
  const dispatch = useAppDispatch();
  const { colors } = useTheme();
  const me = useAppSelector((s) => s.auth.user);
  const isStaff = me?.role === 'agent' || me?.role === 'admin';
  const [tab, setTab] = useState<TicketTab>(isStaff ? 'queue' : 'all');
  // Promoted (or demoted) while the screen is open: start from that role's first view.
  const [tabsFor, setTabsFor] = useState(isStaff);
  if (tabsFor !== isStaff) {
    setTabsFor(isStaff);
    setTab(isStaff ? 'queue' : 'all');
  }
  const [status, setStatus] = useState<TicketStatus | Any>('any');
  const [priority, setPriority] = useState<Priority | Any>('any');
  const [sort, setSort] = useState<TicketSort>('updated');
  // Bulk actions: a selection of tickets (staff only).
  const [selecting, setSelecting] = useState(false);
  // The tickets as picked (a ticket a change moved out of the list stays selected).
  const [picked, setPicked] = useState<Ticket[]>([]);
  const togglePicked = (tk: Ticket) =>
    setPicked((ts) =>
      ts.some((x) => x.id === tk.id) ? ts.filter((x) => x.id !== tk.id) : [...ts, tk],
    );
  const [q, setQ] = useState('');
  const [debouncedQ, setDebouncedQ] = useState('');
  const teams =
    useGetTeamsQuery(undefined, { skip: !isStaff, refetchOnMountOrArgChange: true }).data ??
    NO_TEAMS;
  const myTeams = useMemo(
    () => teams.filter((tm) => tm.members.some((m) => m.id === me?.id)),
    [teams, me?.id],
  );
  const [teamId, setTeamId] = useState<number | null>(null);
  const activeTeam = teamId ?? myTeams[0]?.id ?? null;

  useEffect(() => {
    const h = setTimeout(() => setDebouncedQ(q.trim()), 300);
    return () => clearTimeout(h);
  }, [q]);

  const query = useMemo(
    () =>
      ticketQuery(
        tab,
        {
          status: status === 'any' ? undefined : status,
          priority: priority === 'any' ? undefined : priority,
          q: debouncedQ || undefined,
          sort,
        },
        activeTeam,
      ),
    [tab, status, priority, debouncedQ, activeTeam, sort],
  );
  const current: ViewFields = {
    tab,
    status: status === 'any' ? undefined : status,
    priority: priority === 'any' ? undefined : priority,
    q: debouncedQ || undefined,
    sort,
    team: tab === 'team' ? activeTeam : undefined,
  };
  const applyView = (v: ViewFields) => {
    setTab(v.tab);
    setStatus(v.status ?? 'any');
    setPriority(v.priority ?? 'any');
    setQ(v.q ?? '');
    setDebouncedQ(v.q ?? '');
    setSort(v.sort);
    if (v.team != null) setTeamId(v.team);
  };
  const teamTabWithoutTeam = tab === 'team' && activeTeam == null;

  const list = useListTicketsQuery(query, {
    skip: teamTabWithoutTeam,
    refetchOnMountOrArgChange: true,
  });
  useRefetchOnFocus(list.refetch, teamTabWithoutTeam);
  const page = teamTabWithoutTeam ? undefined : list.currentData;
  const counts = page?.counts ?? NO_COUNTS;
  const listError = list.error && !list.isFetching ? failureText(list.error as ApiFailure) : null;
  const convs = useAppSelector((s) => s.conversations.byId);
  const unread = useAppSelector((s) => s.unread);
  const tickets = useMemo(
    () => (page?.items ?? []).filter((tk) => shownInTab(tk, tab, status)),
    [page, tab, status],
  );
  const selected = useAppSelector(
    (s) =>
      picked.map((p) => {
        const held = selectTicket(s, p.id);
        return held && held.version >= p.version ? held : p;
      }),
    shallowEqual,
  );

  // Keyboard (web): j/k move a cursor through the list, Enter opens, / searches, ? helps.
  const [cursor, setCursor] = useState(-1);
  const [help, setHelp] = useState(false);
  const search = useRef<TextInput>(null);
  const listRef = useRef<FlatList<(typeof tickets)[number]>>(null);
  const focused = useIsFocused();
  // The desktop workspace (web, ≥ 1024 px): the list, the open ticket and its context side by
  // side; on a phone a row opens the ticket's own screen.
  const wide = useWideLayout() && isStaff;
  // Between 1024 and 1280 px the side columns give the conversation more room.
  const roomy = useWindowDimensions().width >= 1280;
  const [openId, setOpenId] = useState<Id | null>(null);
  const now = useNow(30_000);
  const open = (id: Id) => {
    if (wide) setOpenId(id);
    else navigation.navigate('TicketDetail', { id });
  };
  const move = (by: number) => {
    if (tickets.length === 0) return;
    const next = Math.max(0, Math.min(tickets.length - 1, cursor + by));
    setCursor(next);
    listRef.current?.scrollToIndex({ index: next, viewPosition: 0.5, animated: false });
  };
  useShortcuts(
    {
      j: () => move(1),
      k: () => move(-1),
      Enter: () => {
        const tk = tickets[cursor];
        if (tk) open(tk.id);
      },
      '/': () => search.current?.focus(),
      '?': () => setHelp((v) => !v),
      Escape: () => setHelp(false),
    },
    focused,
  );

  const tabs: { value: TicketTab; label: string }[] = [
    { value: 'queue', label: t('tickets.tab.queue') },
    { value: 'mine', label: t('tickets.tab.mine') },
    { value: 'team', label: t('tickets.tab.team') },
    { value: 'all', label: t('tickets.tab.all') },
  ];

  return (
    <View
      testID="tickets-screen"
      style={[styles.page, wide && styles.wide, { backgroundColor: colors.background }]}
    >
      <FlatList
        testID="tickets-list"
        style={
          wide
            ? [styles.listPane, { width: roomy ? 440 : 340, borderColor: colors.border }]
            : undefined
        }
        ref={listRef}
        onScrollToIndexFailed={() => undefined}
        contentContainerStyle={wide ? styles.denseContent : styles.content}
        data={teamTabWithoutTeam ? [] : tickets}
        keyExtractor={(tk) => String(tk.id)}
        ListHeaderComponent={
          <View>
            <View style={styles.titleRow}>
              <Title>{isStaff ? t('tickets.title') : t('tickets.myTickets')}</Title>
              {isStaff ? (
                <Button
                  title={selecting ? t('bulk.stopSelecting') : t('bulk.select')}
                  testID="tickets-select"
                  variant="secondary"
                  compact
                  onPress={() => {
                    setSelecting((v) => !v);
                    setPicked([]);
                  }}
                />
              ) : null}
              <Button
                title={t('tickets.new')}
                testID="tickets-new"
                compact
                onPress={() => navigation.navigate('NewTicket')}
              />
            </View>
            {isStaff ? (
              <Chips
                testID="tickets-tab"
                label={t('tickets.title')}
                options={tabs}
                value={tab}
                onChange={setTab}
              />
            ) : null}
            {isStaff ? <ViewsBar current={current} onApply={applyView} /> : null}
            {isStaff && tab === 'team' && myTeams.length > 1 ? (
              <Chips
                testID="tickets-team"
                label={t('ticket.team')}
                options={myTeams.map((tm) => ({ value: String(tm.id), label: tm.name }))}
                value={activeTeam == null ? null : String(activeTeam)}
                onChange={(v) => setTeamId(Number(v))}
              />
            ) : null}
            <Chips
              testID="tickets-filter-status"
              label={t('ticket.status')}
              value={status}
              onChange={setStatus}
              options={[
                {
                  value: 'any',
                  label: tab === 'queue' ? t('tickets.filter.active') : t('tickets.filter.any'),
                },
                ...STATUSES.map((s) => ({
                  value: s,
                  label: `${t(`status.${s}`)} ${counts[s] ?? 0}`,
                })),
              ]}
            />
            <Chips
              testID="tickets-filter-priority"
              label={t('ticket.priority')}
              value={priority}
              onChange={setPriority}
              options={[
                { value: 'any', label: t('tickets.filter.any') },
                ...PRIORITIES.map((p) => ({ value: p, label: t(`priority.${p}`) })),
              ]}
            />
            {isStaff ? (
              <Chips
                testID="tickets-sort"
                label={t('tickets.sort')}
                value={sort}
                onChange={setSort}
                options={SORTS.map((s) => ({ value: s, label: t(`tickets.sort.${s}`) }))}
              />
            ) : null}
            <View style={{ marginTop: 8 }}>
              <TextField
                ref={search}
                label={t('tickets.search')}
                testID="tickets-search"
                value={q}
                onChangeText={setQ}
                placeholder={t('tickets.search')}
                hideLabel
              />
            </View>
            <View testID="tickets-counts" style={styles.counts}>
              {STATUSES.map((s) => (
                <Muted key={s} testID={`tickets-count-${s}`}>
                  {t('tickets.count', { label: t(`status.${s}`), count: counts[s] ?? 0 })}
                </Muted>
              ))}
            </View>
            {selecting ? (
              <BulkBar
                selected={selected}
                onClear={() => setPicked([])}
                onUpdated={(ts) =>
                  setPicked((ps) => ps.map((p) => ts.find((x) => x.id === p.id) ?? p))
                }
              />
            ) : null}
            <ErrorText testID="tickets-error">{listError}</ErrorText>
          </View>
        }
        renderItem={({ item, index }) => {
          const row = wide ? (
            <DenseTicketRow
              selected={index === cursor}
              open={item.id === openId}
              ticket={item}
              unread={unreadIn(unread, item.conversation_id, convs[String(item.conversation_id)])}
              onPress={() => open(item.id)}
              now={now}
            />
          ) : (
            <TicketRow
              selected={index === cursor}
              ticket={item}
              unread={unreadIn(unread, item.conversation_id, convs[String(item.conversation_id)])}
              onPress={() => open(item.id)}
            />
          );
          if (!selecting) return row;
          const checked = picked.some((p) => p.id === item.id);
          return (
            <View style={styles.pickRow}>
              <Pressable
                testID={`ticket-check-${item.number}`}
                accessibilityRole="checkbox"
                accessibilityLabel={t('bulk.check', { number: item.number })}
                accessibilityState={{ checked }}
                aria-checked={checked}
                onPress={() => togglePicked(item)}
                style={[
                  styles.check,
                  {
                    borderColor: checked ? colors.primary : colors.border,
                    backgroundColor: checked ? colors.primary : colors.surface,
                  },
                ]}
              >
                {checked ? <Icon name="checkmark" size={14} color={colors.onPrimary} /> : null}
              </Pressable>
              <View style={styles.grow}>{row}</View>
            </View>
          );
        }}
        ListEmptyComponent={
          list.isFetching ? (
            <Muted>{t('common.loading')}</Muted>
          ) : (
            <Muted testID="tickets-empty">{t('tickets.empty')}</Muted>
          )
        }
        ListFooterComponent={
          page?.next_cursor ? (
            <Button
              variant="secondary"
              title={t('common.loadMore')}
              testID="tickets-load-more"
              onPress={() => void dispatch(loadMoreTickets(query, page.next_cursor!))}
            />
          ) : null
        }
      />
      {wide ? (
        openId != null ? (
          <TicketPane
            id={openId}
            shortcuts={focused && !help}
            onOpen={setOpenId}
            contextWidth={roomy ? 320 : 260}
          />
        ) : (
          <View style={styles.placeholder} testID="ticket-pane-empty">
            <Muted>{t('tickets.pickOne')}</Muted>
          </View>
        )
      ) : null}
      {help ? <ShortcutsHelp onClose={() => setHelp(false)} /> : null}
    </View>
  );
}

const styles = StyleSheet.create({
  page: { flex: 1 },
  content: { padding: 16, width: '100%', maxWidth: 900, alignSelf: 'center' },
  wide: { flexDirection: 'row' },
  listPane: { flexGrow: 0, borderRightWidth: 1 },
  denseContent: { padding: 8 },
  placeholder: { flex: 1, alignItems: 'center', justifyContent: 'center' },
  titleRow: { flexDirection: 'row', justifyContent: 'space-between', alignItems: 'flex-start' },
  counts: { flexDirection: 'row', gap: 16, flexWrap: 'wrap' },
  pickRow: { flexDirection: 'row', alignItems: 'center', gap: 6 },
  check: {
    width: 22,
    height: 22,
    borderWidth: 2,
    borderRadius: 4,
    alignItems: 'center',
    justifyContent: 'center',
  },
  grow: { flex: 1 },
});
