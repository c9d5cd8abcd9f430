import { forwardRef, useImperativeHandle, useRef, useState } from 'react';
import { Pressable, StyleSheet, Text, TextInput, View } from 'react-native';

import { toApiFailure } from '../../api/client';
import { uploadFile } from '../../api/files';
import type { FileInfo } from '../../api/types';
import { Button } from '../../components/Button';
import { ErrorText } from '../../components/Screen';
import { t } from '../../i18n';
import { isSendKey } from '../../lib/composerKeys';
import { pickFile } from '../../lib/pickFile';
import { useTheme } from '../../theme';
import { Icon } from '../../components/Icon';

const LINE_HEIGHT = 20;
const MIN_INPUT_HEIGHT = 40;
const MAX_INPUT_HEIGHT = 160;

interface Props {
  onSend: (body: string, attachments: FileInfo[], kind: 'text' | 'note') => void;
  onTyping: () => void;
  allowNotes: boolean;
  testID: string;
}

/** What a screen may ask of the composer (keyboard shortcuts r and n). */
export interface ComposerHandle {
  focus(kind: 'text' | 'note'): void;
}

export const Composer = forwardRef<ComposerHandle, Props>(function Composer(
  { onSend, onTyping, allowNotes, testID },
  ref,
) {
  const { colors, radius } = useTheme();
  const [text, setText] = useState('');
  const [attachments, setAttachments] = useState<FileInfo[]>([]);
  const [uploading, setUploading] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState(false);
  const input = useRef<TextInput>(null);
  useImperativeHandle(
    ref,
    () => ({
      focus(kind) {
        setNote(kind === 'note' && allowNotes);
        input.current?.focus();
      },
    }),
    [allowNotes],
  );
  // The field grows with its text up to MAX_INPUT_HEIGHT, then scrolls.
  const [contentHeight, setContentHeight] = useState(0);
  const lines = text.split('\n').length;
  const inputHeight = Math.min(
    MAX_INPUT_HEIGHT,
    Math.max(MIN_INPUT_HEIGHT, LINE_HEIGHT * lines + 18, contentHeight),
  );

  const send = () => {
    // Trim the ends only: line breaks inside the message are kept.
    const body = text.trim();
    if (!body && attachments.length === 0) return;
    onSend(body, attachments, note ? 'note' : 'text');
    setText('');
    setContentHeight(0);
    setAttachments([]);
  };

  const attach = async () => {
    setError(null);
    const file = await pickFile();
    if (!file) return;
    setUploading(file.name);
    try {
      const info = await uploadFile(file);
      setAttachments((a) => [...a, info]);
    } catch (e) {
      setError(toApiFailure(e).message);
    } finally {
      setUploading(null);
    }
  };

  return (
    <View
      style={[
        styles.wrap,
        { borderColor: colors.border, backgroundColor: note ? colors.note : colors.surface },
      ]}
    >
      {allowNotes ? (
        <View style={styles.modes}>
          <Pressable
            testID={`${testID}-mode-reply`}
            accessibilityRole="radio"
            accessibilityLabel={t('ticket.replyMode')}
            accessibilityState={{ selected: !note, checked: !note }}
            aria-checked={!note}
            onPress={() => setNote(false)}
          >
            <Text style={[styles.mode, { color: !note ? colors.primary : colors.textMuted }]}>
              {t('ticket.replyMode')}
            </Text>
          </Pressable>
          <Pressable
            testID={`${testID}-mode-note`}
            accessibilityRole="radio"
            accessibilityLabel={t('ticket.noteMode')}
            accessibilityState={{ selected: note, checked: note }}
            aria-checked={note}
            onPress={() => setNote(true)}
          >
            <Text style={[styles.mode, { color: note ? colors.warning : colors.textMuted }]}>
              <Icon name="lock-closed" size={13} /> {t('ticket.noteMode')}
            </Text>
          </Pressable>
        </View>
      ) : null}
      {attachments.length || uploading ? (
        <View style={styles.chips}>
          {attachments.map((a) => (
            <Pressable
              key={a.id}
              testID={`${testID}-attachment-${a.id}`}
              accessibilityRole="button"
              accessibilityLabel={t('chat.removeAttachment', { name: a.name })}
              onPress={() => setAttachments((xs) => xs.filter((x) => x.id !== a.id))}
              style={[styles.chip, { borderColor: colors.border }]}
            >
              <Text style={{ color: colors.text }}>
                <Icon name="attach" /> {a.name} <Icon name="close" />
              </Text>
            </Pressable>
          ))}
          {uploading ? (
            <Text style={{ color: colors.textMuted }}>
              {t('chat.uploading', { name: uploading })}
            </Text>
          ) : null}
        </View>
      ) : null}
      <ErrorText testID={`${testID}-error`}>{error}</ErrorText>
      <View style={styles.row}>
        <Pressable
          testID={`${testID}-attach`}
          accessibilityRole="button"
          accessibilityLabel={t('chat.attach')}
          onPress={() => void attach()}
          style={styles.attach}
        >
          <Icon name="attach" size={22} color={colors.textMuted} />
        </Pressable>
        <TextInput
          ref={input}
          testID={`${testID}-input`}
          accessibilityLabel={t('field.message')}
          placeholder={note ? t('chat.notePlaceholder') : t('chat.placeholder')}
          placeholderTextColor={colors.textMuted}
          value={text}
          multiline
          onChangeText={(v) => {
            // A textarea's scroll height never shrinks: measure again when lines go away.
            if (v.split('\n').length < lines || !v) setContentHeight(0);
            setText(v);
            // Writing an internal note is nobody else's business: customers would see "typing".
            if (v && !note) onTyping();
          }}
          onContentSizeChange={(e) => setContentHeight(e.nativeEvent.contentSize.height)}
          onKeyPress={(e) => {
            if (isSendKey(e)) {
              e.preventDefault();
              send();
            }
          }}
          style={[
            styles.input,
            {
              height: inputHeight,
              color: colors.text,
              borderColor: colors.border,
              borderRadius: radius,
              backgroundColor: colors.background,
            },
          ]}
        />
        <Button
          title={t('chat.send')}
          testID={`${testID}-send`}
          onPress={send}
          compact
          disabled={!text.trim() && attachments.length === 0}
        />
      </View>
    </View>
  );
});

const styles = StyleSheet.create({
  wrap: { borderTopWidth: 1, padding: 8 },
  row: { flexDirection: 'row', alignItems: 'flex-end', gap: 8 },
  input: {
    flex: 1,
    borderWidth: 1,
    paddingHorizontal: 12,
    paddingVertical: 8,
    fontSize: 15,
    lineHeight: LINE_HEIGHT,
    textAlignVertical: 'top',
  },
  attach: { padding: 6 },
  modes: { flexDirection: 'row', gap: 16, marginBottom: 6 },
  mode: { fontWeight: '600' },
  chips: { flexDirection: 'row', flexWrap: 'wrap', gap: 6, marginBottom: 6, alignItems: 'center' },
  chip: { borderWidth: 1, borderRadius: 999, paddingHorizontal: 10, paddingVertical: 4 },
});
