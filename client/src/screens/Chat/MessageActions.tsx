import { useState } from 'react';
import { Pressable, StyleSheet, Text, View } from 'react-native';

import { failureText, type ApiFailure } from '../../api/client';
import type { Id, Message } from '../../api/types';
import { Button } from '../../components/Button';
import { ErrorText } from '../../components/Screen';
import { formatTime, t } from '../../i18n';
import { emojiKey } from '../../lib/emoji';
import { useGetMessageVersionsQuery } from '../../state/queries/messages';
import { useTheme } from '../../theme';
import { QUICK_REACTIONS, type MessageAbilities } from './messageRules';

interface Props {
  message: Message;
  can: MessageAbilities;
  myId: Id;
  names: Map<Id, string>;
  onReply: () => void;
  onEdit: () => void;
  onDelete: () => void;
  onReact: (emoji: string, add: boolean) => void;
  onClose: () => void;
  busy: boolean;
  error: string | null;
  testID: string;
}

/**
 * What can be done with one message, above the composer (where the canned-response and mention
 * lists open too): react, reply, edit, delete (after a confirmation), and for staff the edit
 * history. Opened by a long press on a message, or on the web its hover button.
 */
export function MessageActions({
  message,
  can,
  myId,
  names,
  onReply,
  onEdit,
  onDelete,
  onReact,
  onClose,
  busy,
  error,
  testID,
}: Props) {
  const { colors, radius } = useTheme();
  const [confirming, setConfirming] = useState(false);
  const [history, setHistory] = useState(false);
  const mine = (emoji: string) =>
    !!message.reactions
      ?.find((r) => emojiKey(r.emoji) === emojiKey(emoji))
      ?.user_ids.includes(myId);
  return (
    <View
      testID={testID}
      role="menu"
      accessibilityLabel={t('chat.actions')}
      style={[
        styles.wrap,
        { borderColor: colors.border, backgroundColor: colors.surface, borderRadius: radius },
      ]}
    >
      {can.react ? (
        <View style={styles.emoji}>
          {QUICK_REACTIONS.map((e) => {
            const picked = mine(e);
            return (
              <Pressable
                key={e}
                testID={`${testID}-react-${e}`}
                role="menuitem"
                accessibilityLabel={t('chat.react', { emoji: e })}
                accessibilityState={{ selected: picked, disabled: busy }}
                aria-pressed={picked}
                disabled={busy}
                onPress={() => onReact(e, !picked)}
                style={[styles.emojiButton, picked && { backgroundColor: colors.surfaceAlt }]}
              >
                <Text style={styles.emojiText}>{e}</Text>
              </Pressable>
            );
          })}
        </View>
      ) : null}
      {confirming ? (
        <View style={styles.row}>
          <Text style={{ color: colors.text, flexShrink: 1 }} accessibilityRole="alert">
            {t('chat.confirmDelete')}
          </Text>
          <Button
            compact
            variant="danger"
            title={t('chat.confirmDeleteYes')}
            testID={`${testID}-delete-confirm`}
            disabled={busy}
            onPress={onDelete}
          />
          <Button
            compact
            variant="secondary"
            title={t('chat.cancel')}
            testID={`${testID}-delete-cancel`}
            onPress={() => setConfirming(false)}
          />
        </View>
      ) : (
        <View style={styles.row}>
          {can.reply ? (
            <Button
              compact
              variant="secondary"
              title={t('chat.reply')}
              testID={`${testID}-reply`}
              onPress={onReply}
            />
          ) : null}
          {can.edit ? (
            <Button
              compact
              variant="secondary"
              title={t('chat.edit')}
              testID={`${testID}-edit`}
              onPress={onEdit}
            />
          ) : null}
          {can.delete ? (
            <Button
              compact
              variant="secondary"
              title={t('chat.delete')}
              testID={`${testID}-delete`}
              onPress={() => setConfirming(true)}
            />
          ) : null}
          {can.history ? (
            <Button
              compact
              variant="secondary"
              title={t('chat.history')}
              testID={`${testID}-history`}
              onPress={() => setHistory((h) => !h)}
            />
          ) : null}
          <Button
            compact
            variant="link"
            title={t('chat.closeActions')}
            testID={`${testID}-close`}
            onPress={onClose}
          />
        </View>
      )}
      <ErrorText testID={`${testID}-error`}>{error}</ErrorText>
      {history ? <EditHistory id={message.id} names={names} testID={`${testID}-versions`} /> : null}
    </View>
  );
}

/** Staff: the texts an edited message has had, oldest first. */
function EditHistory({ id, names, testID }: { id: Id; names: Map<Id, string>; testID: string }) {
  const { colors } = useTheme();
  const q = useGetMessageVersionsQuery(id);
  return (
    <View testID={testID} accessibilityLabel={t('chat.historyTitle')} style={styles.history}>
      <Text style={[styles.historyTitle, { color: colors.text }]}>{t('chat.historyTitle')}</Text>
      {q.isLoading ? <Text style={{ color: colors.textMuted }}>{t('common.loading')}</Text> : null}
      {q.error ? <ErrorText>{failureText(q.error as ApiFailure)}</ErrorText> : null}
      {q.data && q.data.length === 0 ? (
        <Text style={{ color: colors.textMuted }}>{t('chat.historyEmpty')}</Text>
      ) : null}
      {q.data?.map((v, i) => (
        <View key={i} testID={`${testID}-${i}`} style={styles.version}>
          <Text style={{ color: colors.textMuted, fontSize: 12 }}>
            {t('chat.historyVersion', {
              time: formatTime(v.at),
              name: names.get(v.author_id) ?? '…',
            })}
          </Text>
          <Text style={{ color: colors.text }}>{v.body}</Text>
        </View>
      ))}
    </View>
  );
}

const styles = StyleSheet.create({
  wrap: { borderWidth: 1, marginHorizontal: 8, marginBottom: 6, padding: 8, gap: 6 },
  emoji: { flexDirection: 'row', flexWrap: 'wrap', gap: 2 },
  emojiButton: { borderRadius: 999, paddingHorizontal: 6, paddingVertical: 2 },
  emojiText: { fontSize: 22 },
  row: { flexDirection: 'row', flexWrap: 'wrap', alignItems: 'center', gap: 6 },
  history: { gap: 4, maxHeight: 240 },
  historyTitle: { fontWeight: '700' },
  version: { gap: 2 },
});
