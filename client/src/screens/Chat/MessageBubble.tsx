import { useState } from 'react';
import { Pressable, StyleSheet, Text, View } from 'react-native';

import type { FileInfo, Id, Message } from '../../api/types';
import { AuthImage } from '../../components/AuthImage';
import { Button } from '../../components/Button';
import { MessageText } from '../../components/MessageText';
import { formatTime, t } from '../../i18n';
import { downloadFile } from '../../lib/download';
import { displayEmoji } from '../../lib/emoji';
import type { OutboxItem } from '../../state/messages';
import { useTheme } from '../../theme';
import { Icon } from '../../components/Icon';
import { HOVER_ACTIONS, MessageRow } from './MessageRow';

export type Delivery = 'pending' | 'failed' | 'sent' | 'read';

interface Props {
  message: Message | OutboxItem;
  mine: boolean;
  senderName: string;
  delivery?: Delivery;
  /** Why a failed message was not sent (the server's reason). */
  failure?: string;
  /** Offered only when sending again can succeed. */
  onRetry?: () => void;
  onDiscard?: () => void;
  /** Opens an image attachment in the viewer (else it downloads). */
  onOpenImage?: (file: FileInfo) => void;
  /** What this message answers, as shown above its text. */
  quote?: Quote;
  onQuotePress?: () => void;
  /** Opens the message's actions (long press; on the web also a button shown on hover). */
  onActions?: () => void;
  /** Toggles our reaction with this emoji (tapping a chip). */
  onToggleReaction?: (emoji: string, add: boolean) => void;
  myId?: Id | null;
  /** Just jumped to from a quote: outlined for a moment. */
  highlighted?: boolean;
  testID: string;
}

/** The quoted message: its author and text, or why there is none to show. */
export interface Quote {
  name: string;
  text: string;
  state: 'shown' | 'deleted' | 'missing';
}

function formatSize(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

function Attachment({
  file,
  testID,
  onOpenImage,
}: {
  file: FileInfo;
  testID: string;
  onOpenImage?: (file: FileInfo) => void;
}) {
  const { colors } = useTheme();
  if (file.is_image) {
    return (
      <Pressable
        testID={testID}
        accessibilityRole="imagebutton"
        accessibilityLabel={t('chat.openImage', { name: file.name })}
        onPress={() =>
          onOpenImage ? onOpenImage(file) : void downloadFile(file).catch(() => undefined)
        }
      >
        <AuthImage
          path={file.thumbnail_url || file.url}
          accessibilityLabel={file.name}
          style={styles.image}
          testID={`${testID}-image`}
        />
      </Pressable>
    );
  }
  return (
    <Pressable
      testID={testID}
      accessibilityRole="link"
      accessibilityLabel={t('chat.attachment', { name: file.name })}
      onPress={() => void downloadFile(file).catch(() => undefined)}
      style={[styles.file, { borderColor: colors.border }]}
    >
      <Text style={{ color: colors.primary }}>
        <Icon name="attach" /> {file.name}
      </Text>
      <Text style={{ color: colors.textMuted, fontSize: 12 }}>{formatSize(file.size)}</Text>
    </Pressable>
  );
}

export function MessageBubble({
  message,
  mine,
  senderName,
  delivery,
  failure,
  onRetry,
  onDiscard,
  onOpenImage,
  quote,
  onQuotePress,
  onActions,
  onToggleReaction,
  myId,
  highlighted,
  testID,
}: Props) {
  const { colors } = useTheme();
  const [hovered, setHovered] = useState(false);
  const kind = message.kind;
  if (kind === 'system') {
    return (
      <Text testID={testID} style={[styles.system, { color: colors.textMuted }]}>
        {message.body} · {formatTime(message.created_at)}
      </Text>
    );
  }
  const isNote = kind === 'note';
  const stored = 'seq' in message ? message : null;
  const deleted = !!stored?.deleted_at;
  const bg = isNote ? colors.note : mine ? colors.bubbleMine : colors.bubbleOther;
  const fg = isNote ? colors.text : mine ? colors.onBubbleMine : colors.text;
  const muted = isNote ? colors.textMuted : mine ? colors.onBubbleMine : colors.textMuted;
  const reactions = stored?.reactions ?? [];
  const what = deleted
    ? t('chat.deleted')
    : message.body || message.attachments.map((f) => f.name).join(', ');
  return (
    <MessageRow
      style={[styles.row, mine ? styles.right : styles.left]}
      onActions={onActions}
      onHoverChange={setHovered}
    >
      <View style={[styles.line, mine && styles.lineMine]}>
        <View
          testID={testID}
          accessibilityActions={
            onActions ? [{ name: 'longpress', label: t('chat.actions') }] : undefined
          }
          onAccessibilityAction={(e) => {
            if (e.nativeEvent.actionName === 'longpress') onActions?.();
          }}
          accessibilityLabel={`${isNote ? t('ticket.note') + ', ' : ''}${senderName}: ${what}${
            stored?.edited_at && !deleted ? ' ' + t('chat.edited') : ''
          }`}
          style={[
            styles.bubble,
            { backgroundColor: bg },
            isNote && { borderColor: colors.noteBorder, borderWidth: 1, borderStyle: 'dashed' },
            !mine && !isNote && { borderColor: colors.border, borderWidth: 1 },
            highlighted && { borderColor: colors.warning, borderWidth: 2 },
          ]}
        >
          {isNote ? (
            <Text
              testID={`${testID}-note-label`}
              style={[styles.noteLabel, { color: colors.warning }]}
            >
              <Icon name="lock-closed" size={12} /> {t('ticket.note')}
            </Text>
          ) : null}
          {!mine ? (
            <Text style={[styles.sender, { color: isNote ? colors.text : colors.primary }]}>
              {senderName}
            </Text>
          ) : null}
          {quote ? (
            <Pressable
              testID={`${testID}-quote`}
              accessibilityRole="button"
              accessibilityLabel={`${t('chat.quoteOf', { name: quote.name, text: quoteText(quote) })}. ${t('chat.jumpToQuoted')}`}
              disabled={!onQuotePress}
              onPress={onQuotePress}
              style={[styles.quote, { borderLeftColor: mine && !isNote ? fg : colors.primary }]}
            >
              <Text style={[styles.quoteName, { color: fg }]} numberOfLines={1}>
                {quote.name}
              </Text>
              <Text
                style={[{ color: muted }, quote.state !== 'shown' && styles.italic]}
                numberOfLines={2}
              >
                {quoteText(quote)}
              </Text>
            </Pressable>
          ) : null}
          {deleted ? (
            <Text
              testID={`${testID}-deleted`}
              style={[styles.body, styles.italic, { color: muted }]}
            >
              {t('chat.deleted')}
            </Text>
          ) : null}
          {message.body && !deleted ? (
            <MessageText
              testID={`${testID}-body`}
              body={message.body}
              style={[styles.body, { color: fg }]}
              linkColor={mine && !isNote ? fg : colors.primary}
            />
          ) : null}
          {message.attachments.map((f, i) => (
            <Attachment
              key={f.id}
              file={f}
              testID={`${testID}-attachment-${i}`}
              onOpenImage={onOpenImage}
            />
          ))}
          <Text
            style={[
              styles.time,
              { color: isNote ? colors.textMuted : mine ? colors.onBubbleMine : colors.textMuted },
            ]}
          >
            {formatTime(message.created_at)}
            {stored?.edited_at && !deleted ? (
              <Text testID={`${testID}-edited`}> {t('chat.edited')}</Text>
            ) : null}
            {delivery ? ' · ' : ''}
            {delivery ? (
              <Text testID={`${testID}-delivery`}>
                {delivery === 'pending'
                  ? t('chat.pending')
                  : delivery === 'failed'
                    ? t('chat.failed')
                    : delivery === 'read'
                      ? t('chat.read')
                      : t('chat.sent')}
              </Text>
            ) : null}
          </Text>
        </View>
        {onActions && HOVER_ACTIONS ? (
          <Pressable
            testID={`${testID}-actions`}
            accessibilityRole="button"
            accessibilityLabel={t('chat.actionsFor', { name: senderName })}
            onPress={onActions}
            onFocus={() => setHovered(true)}
            onBlur={() => setHovered(false)}
            style={[styles.more, { opacity: hovered ? 1 : 0 }]}
          >
            <Icon name="ellipsis-horizontal" size={18} color={colors.textMuted} />
          </Pressable>
        ) : null}
      </View>
      {reactions.length ? (
        <View style={[styles.reactions, mine && styles.lineMine]} testID={`${testID}-reactions`}>
          {reactions.map((r) => {
            const minePicked = myId != null && r.user_ids.includes(myId);
            return (
              <Pressable
                key={r.emoji}
                testID={`${testID}-reaction-${r.emoji}`}
                accessibilityRole="button"
                accessibilityLabel={t('chat.reactionLabel', {
                  emoji: displayEmoji(r.emoji),
                  count: r.count,
                  action: minePicked ? t('chat.reactionRemove') : t('chat.reactionAdd'),
                })}
                accessibilityState={{ selected: minePicked, disabled: !onToggleReaction }}
                aria-pressed={minePicked}
                disabled={!onToggleReaction}
                onPress={() => onToggleReaction?.(r.emoji, !minePicked)}
                style={[
                  styles.chip,
                  {
                    borderColor: minePicked ? colors.primary : colors.border,
                    backgroundColor: minePicked ? colors.surfaceAlt : colors.surface,
                  },
                ]}
              >
                <Text style={{ color: minePicked ? colors.primary : colors.text, fontSize: 13 }}>
                  {t('chat.reaction', { emoji: displayEmoji(r.emoji), count: r.count })}
                </Text>
              </Pressable>
            );
          })}
        </View>
      ) : null}
      {delivery === 'failed' && failure ? (
        <Text
          testID={`${testID}-failure`}
          accessibilityRole="alert"
          style={[styles.failure, { color: colors.danger }]}
        >
          {failure}
        </Text>
      ) : null}
      {delivery === 'failed' ? (
        <View style={styles.actions}>
          {onRetry ? (
            <Button
              compact
              variant="secondary"
              title={t('chat.retry')}
              testID={`${testID}-retry`}
              onPress={onRetry}
            />
          ) : null}
          <Button
            compact
            variant="link"
            title={t('chat.discard')}
            testID={`${testID}-discard`}
            onPress={() => onDiscard?.()}
          />
        </View>
      ) : null}
    </MessageRow>
  );
}

function quoteText(q: Quote): string {
  if (q.state === 'deleted') return t('chat.quoteDeleted');
  if (q.state === 'missing') return t('chat.quoteMissing');
  return q.text;
}

const styles = StyleSheet.create({
  row: { marginVertical: 3, maxWidth: '85%' },
  left: { alignSelf: 'flex-start' },
  right: { alignSelf: 'flex-end', alignItems: 'flex-end' },
  bubble: { borderRadius: 14, paddingHorizontal: 12, paddingVertical: 8 },
  sender: { fontSize: 12, fontWeight: '700', marginBottom: 2 },
  body: { fontSize: 15 },
  time: { fontSize: 11, marginTop: 4, opacity: 0.85 },
  noteLabel: { fontSize: 11, fontWeight: '700', marginBottom: 2 },
  system: {
    alignSelf: 'center',
    fontSize: 12,
    marginVertical: 6,
    fontStyle: 'italic',
    textAlign: 'center',
  },
  image: { width: 180, height: 180, borderRadius: 8, marginTop: 6 },
  file: { borderWidth: 1, borderRadius: 8, padding: 8, marginTop: 6 },
  actions: { flexDirection: 'row', gap: 6, marginTop: 4 },
  failure: { fontSize: 12, marginTop: 4 },
  line: { flexDirection: 'row', alignItems: 'center', gap: 4 },
  lineMine: { flexDirection: 'row-reverse' },
  more: { padding: 4 },
  italic: { fontStyle: 'italic' },
  quote: { borderLeftWidth: 3, paddingLeft: 8, marginBottom: 4, opacity: 0.9 },
  quoteName: { fontSize: 12, fontWeight: '700' },
  reactions: { flexDirection: 'row', flexWrap: 'wrap', gap: 4, marginTop: 2 },
  chip: { borderWidth: 1, borderRadius: 999, paddingHorizontal: 8, paddingVertical: 2 },
});
