import { forwardRef, useImperativeHandle, useMemo, useRef, useState } from 'react';
import { Pressable, StyleSheet, Text, TextInput, View } from 'react-native';

import { failureText, toApiFailure, type ApiFailure } from '../../api/client';
import { uploadFile } from '../../api/files';
import type { CannedResponse, FileInfo, Id } from '../../api/types';
import { Button } from '../../components/Button';
import { ErrorText } from '../../components/Screen';
import { t } from '../../i18n';
import { isSendKey, pickerKey } from '../../lib/composerKeys';
import { pickFile } from '../../lib/pickFile';
import { isStaffRole } from '../../state/auth';
import { useAppSelector } from '../../state/hooks';
import {
  useGetCannedResponsesQuery,
  useRenderCannedResponseMutation,
} from '../../state/queries/canned';
import { useTheme } from '../../theme';
import { Icon } from '../../components/Icon';
import { CannedPicker } from './CannedPicker';
import { useMentions } from './MentionPicker';
import { filterCanned, findSlashQuery, insertAt } from './slashQuery';

const LINE_HEIGHT = 20;
const MIN_INPUT_HEIGHT = 40;
const MAX_INPUT_HEIGHT = 160;
/** The type-ahead list shows this many responses at most (typing narrows it). */
const MAX_MATCHES = 8;

interface Props {
  onSend: (body: string, attachments: FileInfo[], kind: 'text' | 'note') => void;
  onTyping: () => void;
  allowNotes: boolean;
  /** Where canned responses are rendered for; without it the composer offers none. */
  conversationId?: Id;
  testID: string;
}

/** What a screen may ask of the composer (keyboard shortcuts r and n). */
export interface ComposerHandle {
  focus(kind: 'text' | 'note'): void;
}

export const Composer = forwardRef<ComposerHandle, Props>(function Composer(
  { onSend, onTyping, allowNotes, conversationId, testID },
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

  // Canned responses: staff type `/` and a shortcut or part of a title, then pick one.
  const staff = useAppSelector((s) => isStaffRole(s.auth.user?.role));
  // Where the caret is, once the field has said (null: at the end, where typing happens).
  const [caret, setCaret] = useState<number | null>(null);
  // The `/` whose list was closed with Esc (or just filled in): it stays closed.
  const [dismissedAt, setDismissedAt] = useState<number | null>(null);
  const [active, setActive] = useState(0);
  // The draft as it is now, for a response that arrives after more typing.
  const latestText = useRef(text);
  const setDraft = (v: string) => {
    latestText.current = v;
    setText(v);
  };
  const slash = staff && conversationId != null ? findSlashQuery(text, caret ?? text.length) : null;
  const open = slash !== null && slash.start !== dismissedAt;
  // Customers never get here: the list is requested only while it is open.
  const canned = useGetCannedResponsesQuery(undefined, { skip: !open });
  const [renderCanned, rendering] = useRenderCannedResponseMutation();
  const [cannedError, setCannedError] = useState<string | null>(null);
  const query = slash?.query ?? '';
  const matches = useMemo(
    () => (open && canned.data ? filterCanned(canned.data, query).slice(0, MAX_MATCHES) : []),
    [open, canned.data, query],
  );
  const activeIndex = Math.min(active, Math.max(0, matches.length - 1));
  // `@` mentions of staff, in internal notes only (the one place they notify anyone).
  const mentions = useMentions({
    text,
    caret,
    enabled: staff && note && !open,
    replace: (v) => {
      setDraft(v);
      setCaret(null);
      input.current?.focus();
    },
    testID: `${testID}-mentions`,
  });

  const changeText = (v: string) => {
    setDraft(v);
    setActive(0);
    setCannedError(null);
    const next = findSlashQuery(v, caret ?? v.length);
    if (!next || next.start !== dismissedAt) setDismissedAt(null);
  };

  /** Replaces the `/query` with the response, filled in for this conversation by the server. */
  const pick = async (c: CannedResponse) => {
    if (!slash || conversationId == null || rendering.isLoading) return;
    const at = slash;
    const typed = text.slice(at.start, at.end);
    setCannedError(null);
    let body: string;
    try {
      body = await renderCanned({ id: c.id, conversationId }).unwrap();
    } catch (e) {
      setCannedError(failureText(e as ApiFailure));
      return;
    }
    // Typed on while it loaded: insert at the end rather than over other words.
    const current = latestText.current;
    const where =
      current.slice(at.start, at.end) === typed
        ? at
        : { start: current.length, end: current.length, query: '' };
    const next = insertAt(current, where, body).text;
    setDraft(next);
    // A `/word` inside the response must not open the list again.
    setDismissedAt(findSlashQuery(next)?.start ?? null);
    setCaret(null);
    setContentHeight(0);
    input.current?.focus();
  };

  const send = () => {
    // Trim the ends only: line breaks inside the message are kept.
    const body = text.trim();
    if (!body && attachments.length === 0) return;
    onSend(body, attachments, note ? 'note' : 'text');
    setDraft('');
    setCaret(null);
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
      {open ? (
        <CannedPicker
          testID={`${testID}-canned`}
          query={query}
          matches={matches}
          active={activeIndex}
          loading={canned.isLoading}
          busy={rendering.isLoading}
          error={cannedError ?? (canned.error ? failureText(canned.error as ApiFailure) : null)}
          onPick={(c) => void pick(c)}
        />
      ) : null}
      {mentions.picker}
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
            changeText(v);
            // Writing an internal note is nobody else's business: customers would see "typing".
            if (v && !note) onTyping();
          }}
          onContentSizeChange={(e) => setContentHeight(e.nativeEvent.contentSize.height)}
          onSelectionChange={(e) => {
            const { start, end } = e.nativeEvent.selection;
            setCaret(start === end ? end : null);
          }}
          onKeyPress={(e) => {
            if (mentions.handleKey(e)) return;
            const key = open ? pickerKey(e) : null;
            if (key === 'close' && slash) {
              e.preventDefault();
              setDismissedAt(slash.start);
              return;
            }
            // While the list loads, Enter waits for it rather than sending the `/query`.
            if (key && (matches.length > 0 || canned.isFetching || rendering.isLoading)) {
              e.preventDefault();
              if (matches.length === 0) return;
              if (key === 'next') setActive((activeIndex + 1) % matches.length);
              else if (key === 'previous')
                setActive((activeIndex - 1 + matches.length) % matches.length);
              else if (key === 'pick') void pick(matches[activeIndex]);
              return;
            }
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
