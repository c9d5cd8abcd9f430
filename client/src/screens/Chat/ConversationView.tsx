import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import {
  FlatList,
  Pressable,
  StyleSheet,
  Text,
  View,
  type NativeScrollEvent,
  type NativeSyntheticEvent,
} from 'react-native';

import { failureText, type ApiFailure } from '../../api/client';
import type { FileInfo, Id, Message } from '../../api/types';
import { Button } from '../../components/Button';
import { ImageViewer } from '../../components/ImageViewer';
import { ErrorText, Muted } from '../../components/Screen';
import { t } from '../../i18n';
import { useRealtime } from '../../realtime/context';
import { isRetryable } from '../../realtime/outbox';
import { activeConversationChanged } from '../../state/conversations';
import { useAppDispatch, useAppSelector } from '../../state/hooks';
import { othersHere } from '../../state/here';
import type { OutboxItem } from '../../state/messages';
import {
  useGetLatestMessagesQuery,
  useLazyGetOlderMessagesQuery,
} from '../../state/queries/conversations';
import { useTheme } from '../../theme';
import { Composer, type ComposerHandle } from './Composer';
import { MessageActions } from './MessageActions';
import { MessageBubble, type Delivery, type Quote } from './MessageBubble';
import { abilities } from './messageRules';
import { useMessageChanges } from './useMessageChanges';

const EMPTY: Message[] = [];

/** The reason shown under a message that was not sent. */
function outboxFailureText(o: OutboxItem): string {
  if (o.error_message) return o.error_message;
  if (!o.error || o.error === 'timeout') return t('chat.failedTimeout');
  return t('chat.failedRefused', { code: o.error });
}

type Row =
  | { key: string; message: Message; outbox?: undefined }
  | { key: string; outbox: OutboxItem; message?: undefined };

/** A conversation: live messages, pending sends, typing, read receipts, older pages on scroll. */
export function ConversationView({
  conversationId,
  allowNotes,
  header,
  composerRef,
  focusSeq,
}: {
  conversationId: Id;
  allowNotes: boolean;
  header?: React.ReactElement | null;
  composerRef?: React.Ref<ComposerHandle>;
  /** Open at this message, marked (a search hit): older pages load until it is there. */
  focusSeq?: number;
}) {
  const dispatch = useAppDispatch();
  const realtime = useRealtime();
  const { colors } = useTheme();
  const me = useAppSelector((s) => s.auth.user);
  const conv = useAppSelector((s) => s.conversations.byId[String(conversationId)]);
  const entry = useAppSelector((s) => s.messages.byConversation[String(conversationId)]);
  const outbox = useAppSelector((s) => s.messages.outbox);
  const typing = useAppSelector((s) => s.conversations.typing[String(conversationId)]);
  // Staff on a ticket (notes allowed) tell each other who is here, and see who else is.
  const hereState = useAppSelector((s) => s.here);
  const others = useMemo(() => othersHere(hereState, conversationId), [hereState, conversationId]);
  const items = entry?.items ?? EMPTY;
  // Loads wait for the link (and retry when it comes back after an offline start).
  const online = useAppSelector((s) => s.connection.status !== 'offline');
  const linkUp = useAppSelector((s) => s.connection.status === 'online');
  useEffect(() => {
    if (!allowNotes || !linkUp) return;
    realtime.here(conversationId, 'viewing');
    return () => realtime.here(conversationId, 'left');
  }, [allowNotes, linkUp, conversationId, realtime]);
  const listRef = useRef<FlatList<Row>>(null);
  // The list is inverted (newest at the bottom, offset 0): it opens at the latest message and
  // stays there as messages arrive; older pages load at its far end without moving the view.
  const atLatest = useRef(true);
  // The last seq on screen when the user scrolled away from the latest message (null: at it).
  const [awayFromSeq, setAwayFromSeq] = useState<number | null>(null);
  // What the user had read when the conversation opened: the "new messages" divider goes there.
  const [readAtOpen, setReadAtOpen] = useState<number | null>(conv ? conv.last_read_seq : null);
  // Deep link: the conversation arrives after the first render (and before it is read).
  if (readAtOpen === null && conv) setReadAtOpen(conv.last_read_seq);

  useEffect(() => {
    dispatch(activeConversationChanged(conversationId));
    return () => {
      dispatch(activeConversationChanged(null));
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [conversationId]);

  // The newest page, until it is held (its messages and the socket's meet in the store).
  const latest = useGetLatestMessagesQuery(conversationId, { skip: !!entry?.loaded || !online });
  const { refetch: refetchLatest, isError: latestFailed } = latest;
  useEffect(() => {
    // The link came back after a failed load: try again.
    if (linkUp && latestFailed) void refetchLatest();
  }, [linkUp, latestFailed, refetchLatest]);
  const [fetchOlder, older] = useLazyGetOlderMessagesQuery();
  const loadingOlder = older.isFetching;
  const failure = (latest.error ?? older.error) as ApiFailure | undefined;
  // The server could not be reached: say so calmly (and load again when the link is back).
  const unreachable = failure?.code === 'network';
  const error = failure && !unreachable ? failureText(failure) : null;
  const offline = !online || (unreachable && !entry?.loaded);

  const lastSeq = items.length ? items[items.length - 1].seq : 0;
  useEffect(() => {
    if (lastSeq > 0) realtime.read(conversationId, lastSeq);
  }, [conversationId, lastSeq, realtime]);

  const canLoadOlder = !!(entry?.loaded && entry.hasOlder);
  const loadOlder = useCallback(() => {
    if (loadingOlder || !canLoadOlder || items.length === 0) return;
    void fetchOlder({ conversationId, beforeSeq: items[0].seq });
  }, [conversationId, canLoadOlder, items, loadingOlder, fetchOlder]);

  const names = useMemo(() => {
    const m = new Map<Id, string>();
    conv?.members.forEach((x) => m.set(x.user_id, x.display_name));
    return m;
  }, [conv?.members]);

  // The conversation's images, oldest first: the viewer moves through them.
  const images = useMemo(
    () => items.flatMap((m) => m.attachments.filter((f) => f.is_image)),
    [items],
  );
  const [viewing, setViewing] = useState<number | null>(null);
  const changes = useMessageChanges(items);
  const nameOf = useCallback(
    (id: Id) => (id === me?.id ? t('chat.you') : (names.get(id) ?? '…')),
    [me?.id, names],
  );
  // What a reply quotes, from the messages held ("Earlier message" when it is not loaded).
  const quoteOf = useCallback(
    (replyTo: Id | null | undefined): Quote | undefined => {
      if (replyTo == null) return undefined;
      const q = items.find((x) => x.id === replyTo);
      if (!q) return { name: '', text: '', state: 'missing' };
      const name = nameOf(q.sender_id);
      if (q.deleted_at) return { name, text: '', state: 'deleted' };
      return { name, text: q.body || q.attachments.map((f) => f.name).join(', '), state: 'shown' };
    },
    [items, nameOf],
  );
  // Tapping a quote: the original, if loaded, comes into view and is outlined for a moment.
  const [highlight, setHighlight] = useState<number | null>(null);
  useEffect(() => {
    if (highlight === null) return;
    const timer = setTimeout(() => setHighlight(null), 2000);
    return () => clearTimeout(timer);
  }, [highlight]);
  const openImage = useCallback(
    (f: FileInfo) =>
      setViewing(
        Math.max(
          0,
          images.findIndex((x) => x.id === f.id),
        ),
      ),
    [images, setViewing],
  );

  /** Newest first (the list is inverted): pending sends, then stored messages. */
  const rows: Row[] = useMemo(() => {
    const mineSent = new Set(items.filter((m) => m.client_id).map((m) => m.client_id));
    return [
      ...items.map((m) => ({ key: `m${m.seq}`, message: m })),
      ...outbox
        .filter((o) => o.conversation_id === conversationId && !mineSent.has(o.client_id))
        .map((o) => ({ key: `o${o.client_id}`, outbox: o })),
    ].reverse();
  }, [items, outbox, conversationId]);

  // A search hit: load older pages until it is held, then bring it into view once.
  const focusIndex = focusSeq == null ? -1 : rows.findIndex((r) => r.message?.seq === focusSeq);
  const focusMissing =
    focusSeq != null && focusIndex < 0 && items.length > 0 && items[0].seq > focusSeq;
  useEffect(() => {
    if (focusMissing && canLoadOlder) loadOlder();
  }, [focusMissing, canLoadOlder, loadOlder]);
  const focusedSeq = useRef<number | null>(null);
  useEffect(() => {
    if (focusSeq == null || focusIndex < 0 || focusedSeq.current === focusSeq) return;
    focusedSeq.current = focusSeq;
    atLatest.current = false;
    listRef.current?.scrollToIndex({ index: focusIndex, viewPosition: 0.5, animated: false });
  }, [focusSeq, focusIndex]);

  // The newest message when the history was first shown: later ones arrived while watching.
  const [lastAtOpen, setLastAtOpen] = useState<number | null>(null);
  if (lastAtOpen === null && entry?.loaded) setLastAtOpen(lastSeq);
  // The first message someone else wrote after what was read when the conversation opened.
  const firstUnreadSeq = useMemo(() => {
    if (!readAtOpen || lastAtOpen === null) return null;
    const m = items.find(
      (x) =>
        x.seq > readAtOpen && x.seq <= lastAtOpen && x.sender_id !== me?.id && x.kind !== 'system',
    );
    return m && m.seq !== items[0]?.seq ? m.seq : null;
  }, [items, me?.id, readAtOpen, lastAtOpen]);

  // A far row is measured only once near: a few tries at most.
  const scrollTries = useRef(0);
  const jumpTo = (seq: number) => {
    const index = rows.findIndex((r) => r.message?.seq === seq);
    if (index < 0) return;
    scrollTries.current = 0;
    atLatest.current = false;
    setHighlight(seq);
    listRef.current?.scrollToIndex({ index, animated: true, viewPosition: 0.5 });
  };

  const jumpToLatest = useCallback(() => {
    listRef.current?.scrollToOffset({ offset: 0, animated: false });
    atLatest.current = true;
    setAwayFromSeq(null);
  }, []);

  // Follow new messages while at the latest one.
  const newestKey = rows[0]?.key;
  useEffect(() => {
    if (newestKey !== undefined && atLatest.current) {
      listRef.current?.scrollToOffset({ offset: 0, animated: false });
    }
  }, [newestKey]);
  // Scrolled away: what others wrote since is counted on the jump button.
  const unseen = useMemo(
    () =>
      awayFromSeq === null
        ? 0
        : items.filter((m) => m.seq > awayFromSeq && m.sender_id !== me?.id && m.kind !== 'system')
            .length,
    [items, awayFromSeq, me?.id],
  );

  // Read receipts: the highest seq any other member has read.
  const othersRead = useMemo(
    () =>
      Math.max(
        0,
        ...(conv?.members ?? []).filter((m) => m.user_id !== me?.id).map((m) => m.last_read_seq),
      ),
    [conv?.members, me?.id],
  );
  const lastMineSeq = useMemo(() => {
    for (let i = items.length - 1; i >= 0; i--)
      if (items[i].sender_id === me?.id) return items[i].seq;
    return 0;
  }, [items, me?.id]);

  const typingNames = Object.keys(typing ?? {})
    .map((uid) => names.get(Number(uid)) ?? '…')
    .filter(Boolean);

  const onScroll = (e: NativeSyntheticEvent<NativeScrollEvent>) => {
    // Inverted: the offset is the distance from the latest message.
    const near = e.nativeEvent.contentOffset.y < 80;
    atLatest.current = near;
    if (near) setAwayFromSeq(null);
    else setAwayFromSeq((was) => was ?? lastSeq);
  };

  return (
    <View style={[styles.page, { backgroundColor: colors.background }]}>
      <View style={styles.page}>
        <FlatList
          ref={listRef}
          testID="message-list"
          inverted
          data={rows}
          keyExtractor={(r) => r.key}
          contentContainerStyle={styles.list}
          onScroll={onScroll}
          scrollEventThrottle={100}
          onEndReached={loadOlder}
          // Rows far away are not measured yet: get near, then try again.
          onScrollToIndexFailed={(info) => {
            if (scrollTries.current++ >= 3) return;
            listRef.current?.scrollToOffset({
              offset: info.averageItemLength * info.index,
              animated: false,
            });
            setTimeout(
              () =>
                listRef.current?.scrollToIndex({
                  index: info.index,
                  animated: true,
                  viewPosition: 0.5,
                }),
              100,
            );
          }}
          onEndReachedThreshold={0.2}
          // Inverted, the footer is the top: the ticket header, then empty space down to the
          // messages when they don't fill the screen.
          ListFooterComponentStyle={styles.top}
          ListFooterComponent={
            <View>
              {header}
              {canLoadOlder && items.length > 0 ? (
                <Button
                  variant="link"
                  title={loadingOlder ? t('common.loading') : t('chat.loadOlder')}
                  testID="chat-load-older"
                  onPress={loadOlder}
                />
              ) : null}
              {offline && !entry?.loaded ? (
                <Muted testID="chat-offline-notice">
                  {items.length || rows.length
                    ? t('chat.offlineShowingSaved')
                    : t('chat.offlineNothingSaved')}
                </Muted>
              ) : null}
              {error ? <Muted>{t('common.error', { message: error })}</Muted> : null}
              {entry?.loaded && rows.length === 0 ? (
                <Muted testID="chat-empty">{t('chats.noMessages')}</Muted>
              ) : null}
            </View>
          }
          renderItem={({ item: r }) => {
            if (r.outbox) {
              const o = r.outbox;
              return (
                <MessageBubble
                  testID={`outbox-${o.client_id}`}
                  message={o}
                  mine
                  senderName={t('chat.you')}
                  delivery={o.state === 'failed' ? 'failed' : 'pending'}
                  failure={o.state === 'failed' ? outboxFailureText(o) : undefined}
                  onRetry={isRetryable(o) ? () => realtime.retry(o.client_id) : undefined}
                  onDiscard={() => realtime.discard(o.client_id)}
                  quote={quoteOf(o.reply_to)}
                />
              );
            }
            const m = r.message;
            const mine = m.sender_id === me?.id;
            let delivery: Delivery | undefined;
            if (mine && m.seq === lastMineSeq) delivery = othersRead >= m.seq ? 'read' : 'sent';
            const bubble = (
              <MessageBubble
                testID={`message-${m.seq}`}
                message={m}
                mine={mine}
                senderName={mine ? t('chat.you') : (names.get(m.sender_id) ?? '…')}
                delivery={delivery}
                onOpenImage={openImage}
                quote={quoteOf(m.reply_to?.id)}
                onQuotePress={m.reply_to ? () => jumpTo(m.reply_to!.seq) : undefined}
                onActions={
                  m.kind !== 'system' && !m.deleted_at ? () => changes.open(m.id) : undefined
                }
                onToggleReaction={
                  m.deleted_at ? undefined : (emoji, add) => changes.react(m, emoji, add)
                }
                myId={me?.id}
                highlighted={highlight === m.seq}
              />
            );
            if (m.seq === focusSeq) {
              return (
                <View
                  testID="search-hit-message"
                  accessibilityLabel={t('chat.searchHit')}
                  style={[styles.hit, { borderColor: colors.primary }]}
                >
                  {bubble}
                </View>
              );
            }
            if (m.seq !== firstUnreadSeq) return bubble;
            return (
              <View>
                <View testID="chat-unread-divider" accessibilityRole="text" style={styles.divider}>
                  <View style={[styles.rule, { backgroundColor: colors.danger }]} />
                  <Text style={{ color: colors.danger, fontSize: 12, fontWeight: '600' }}>
                    {t('chat.newMessages')}
                  </Text>
                  <View style={[styles.rule, { backgroundColor: colors.danger }]} />
                </View>
                {bubble}
              </View>
            );
          }}
        />
        {awayFromSeq !== null ? (
          <Pressable
            testID="chat-jump-latest"
            accessibilityRole="button"
            accessibilityLabel={t('chat.jumpToLatest')}
            onPress={jumpToLatest}
            style={[styles.jump, { backgroundColor: colors.primary }]}
          >
            <Text style={{ color: colors.onPrimary, fontWeight: '600' }}>
              {unseen > 0 ? t('chat.newBelow', { count: unseen }) : t('chat.jumpToLatest')} ↓
            </Text>
          </Pressable>
        ) : null}
      </View>
      {allowNotes && others.length ? (
        <Text
          testID="ticket-here"
          accessibilityLiveRegion="polite"
          style={[styles.here, { color: colors.warning }]}
        >
          {others
            .map((o) =>
              t(o.activity === 'replying' ? 'here.replying' : 'here.viewing', { name: o.name }),
            )
            .join(' · ')}
        </Text>
      ) : null}
      <View style={styles.typing}>
        {typingNames.length ? (
          <Text testID="typing-indicator" style={{ color: colors.textMuted, fontSize: 12 }}>
            {t('chat.typing', { name: typingNames.join(', ') })}
          </Text>
        ) : null}
      </View>
      {changes.actionsFor && me ? (
        <MessageActions
          key={changes.actionsFor.id}
          testID="message-actions"
          message={changes.actionsFor}
          can={abilities(changes.actionsFor, me, conv, changes.openedAt)}
          myId={me.id}
          names={names}
          busy={changes.busy}
          error={changes.error}
          onClose={changes.close}
          onReply={() => changes.reply(changes.actionsFor!.id)}
          onEdit={() => changes.edit(changes.actionsFor!.id)}
          onDelete={() => changes.remove(changes.actionsFor!)}
          onReact={(emoji, add) => changes.react(changes.actionsFor!, emoji, add, true)}
        />
      ) : changes.error ? (
        <ErrorText testID="chat-action-error">{changes.error}</ErrorText>
      ) : null}
      <Composer
        ref={composerRef}
        testID="composer"
        allowNotes={allowNotes}
        conversationId={conversationId}
        editing={changes.editing}
        onSaveEdit={(body) => changes.saveEdit(body)}
        replyTo={
          changes.replyingTo
            ? {
                id: changes.replyingTo.id,
                name: nameOf(changes.replyingTo.sender_id),
                text: changes.replyingTo.body,
                note: changes.replyingTo.kind === 'note',
              }
            : null
        }
        onCancelContext={changes.cancelContext}
        onTyping={() => realtime.typing(conversationId)}
        onSend={(body, attachments, kind) => {
          // Your own message is where you are going: show it.
          jumpToLatest();
          const replyTo = changes.replyingTo?.id;
          changes.cancelContext();
          void realtime.send(conversationId, body, { kind, attachments, replyTo });
        }}
      />
      {viewing !== null && images[viewing] ? (
        <ImageViewer
          images={images}
          index={viewing}
          onIndex={setViewing}
          onClose={() => setViewing(null)}
        />
      ) : null}
    </View>
  );
}

const styles = StyleSheet.create({
  page: { flex: 1 },
  list: { padding: 12, width: '100%', maxWidth: 900, alignSelf: 'center', flexGrow: 1 },
  typing: { height: 18, paddingHorizontal: 16 },
  here: { paddingHorizontal: 16, fontSize: 12, fontWeight: '600' },
  top: { flexGrow: 1 },
  divider: { flexDirection: 'row', alignItems: 'center', gap: 8, marginVertical: 8 },
  rule: { flex: 1, height: 1 },
  hit: { borderWidth: 2, borderRadius: 12, padding: 2 },
  jump: {
    position: 'absolute',
    alignSelf: 'center',
    bottom: 12,
    borderRadius: 999,
    paddingHorizontal: 14,
    paddingVertical: 8,
    elevation: 3,
    shadowColor: '#000',
    shadowOpacity: 0.2,
    shadowRadius: 6,
    shadowOffset: { width: 0, height: 2 },
  },
});
