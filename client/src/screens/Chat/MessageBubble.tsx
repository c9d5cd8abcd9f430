import { Pressable, StyleSheet, Text, View } from 'react-native';

import type { FileInfo, Message } from '../../api/types';
import { AuthImage } from '../../components/AuthImage';
import { Button } from '../../components/Button';
import { MessageText } from '../../components/MessageText';
import { formatTime, t } from '../../i18n';
import { downloadFile } from '../../lib/download';
import type { OutboxItem } from '../../state/messages';
import { useTheme } from '../../theme';
import { Icon } from '../../components/Icon';

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
  testID: string;
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
  testID,
}: Props) {
  const { colors } = useTheme();
  const kind = message.kind;
  if (kind === 'system') {
    return (
      <Text testID={testID} style={[styles.system, { color: colors.textMuted }]}>
        {message.body} · {formatTime(message.created_at)}
      </Text>
    );
  }
  const isNote = kind === 'note';
  const bg = isNote ? colors.note : mine ? colors.bubbleMine : colors.bubbleOther;
  const fg = isNote ? colors.text : mine ? colors.onBubbleMine : colors.text;
  return (
    <View style={[styles.row, mine ? styles.right : styles.left]}>
      <View
        testID={testID}
        accessibilityLabel={`${isNote ? t('ticket.note') + ', ' : ''}${senderName}: ${
          message.body || message.attachments.map((f) => f.name).join(', ')
        }`}
        style={[
          styles.bubble,
          { backgroundColor: bg },
          isNote && { borderColor: colors.noteBorder, borderWidth: 1, borderStyle: 'dashed' },
          !mine && !isNote && { borderColor: colors.border, borderWidth: 1 },
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
        {message.body ? (
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
    </View>
  );
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
});
