import { useMemo, useState } from 'react';
import { Pressable, ScrollView, StyleSheet, Text, View } from 'react-native';

import { toApiFailure } from '../../api/client';
import { patchTicket } from '../../api/tickets';
import type { FileInfo, Id, Message, Ticket } from '../../api/types';
import { Avatar } from '../../components/Avatar';
import { StatusBadge } from '../../components/Badge';
import { Button } from '../../components/Button';
import { ErrorText, Muted } from '../../components/Screen';
import { TextField } from '../../components/TextField';
import { t } from '../../i18n';
import { downloadFile } from '../../lib/download';
import { useAppDispatch, useAppSelector } from '../../state/hooks';
import { ticketReceived, useListTicketsQuery } from '../../state/queries/tickets';
import { useTheme } from '../../theme';
import { Icon } from '../../components/Icon';

const NO_MESSAGES: Message[] = [];

/** The workspace's right column: who asked, what else they asked, files, tags. */
export function ContextPanel({
  ticket,
  onOpen,
  width,
}: {
  ticket: Ticket;
  onOpen: (id: Id) => void;
  width: number;
}) {
  const { colors } = useTheme();
  const requester = ticket.requester;
  const messages = useAppSelector(
    (s) => s.messages.byConversation[String(ticket.conversation_id)]?.items ?? NO_MESSAGES,
  );
  const files = useMemo(() => {
    const seen = new Map<Id, FileInfo>();
    messages.forEach((m) => m.attachments.forEach((f) => seen.set(f.id, f)));
    return [...seen.values()];
  }, [messages]);

  const others = useListTicketsQuery(
    { requester: requester.id, sort: 'updated', limit: 10 },
    { refetchOnMountOrArgChange: true },
  );
  const otherTickets = (others.data?.items ?? []).filter((x) => x.id !== ticket.id);

  return (
    <ScrollView
      testID="context-panel"
      accessibilityLabel={t('context.title')}
      style={[styles.panel, { width, borderColor: colors.border, backgroundColor: colors.surface }]}
      contentContainerStyle={styles.content}
    >
      <Section title={t('context.requester')}>
        <View style={styles.person} testID="context-requester">
          <Avatar name={requester.display_name} url={requester.avatar_url} size={40} />
          <View>
            <Text style={{ color: colors.text, fontWeight: '600' }}>{requester.display_name}</Text>
            <Text style={{ color: colors.textMuted, fontSize: 12 }}>
              {t(`role.${requester.role}`)}
            </Text>
          </View>
        </View>
      </Section>
      <Section title={t('context.otherTickets')}>
        {others.isLoading ? (
          <Muted>{t('common.loading')}</Muted>
        ) : otherTickets.length === 0 ? (
          <Muted testID="context-no-other-tickets">{t('context.noOtherTickets')}</Muted>
        ) : (
          otherTickets.map((o) => (
            <Pressable
              key={o.id}
              testID={`context-ticket-${o.number}`}
              accessibilityRole="button"
              accessibilityLabel={`#${o.number} ${o.subject}`}
              onPress={() => onOpen(o.id)}
              style={styles.other}
            >
              <Text numberOfLines={1} style={{ color: colors.primary, flex: 1 }}>
                #{o.number} {o.subject}
              </Text>
              <StatusBadge status={o.status} />
            </Pressable>
          ))
        )}
      </Section>
      <Section title={t('context.attachments')}>
        {files.length === 0 ? (
          <Muted>{t('context.noAttachments')}</Muted>
        ) : (
          files.map((f) => (
            <Pressable
              key={f.id}
              testID={`context-file-${f.id}`}
              accessibilityRole="link"
              accessibilityLabel={t('chat.attachment', { name: f.name })}
              onPress={() => void downloadFile(f).catch(() => undefined)}
            >
              <Text numberOfLines={1} style={{ color: colors.primary, marginVertical: 2 }}>
                <Icon name="attach" /> {f.name}
              </Text>
            </Pressable>
          ))
        )}
      </Section>
      <Section title={t('context.tags')}>
        <TagEditor ticket={ticket} />
      </Section>
    </ScrollView>
  );
}

function Section({ title, children }: { title: string; children: React.ReactNode }) {
  const { colors } = useTheme();
  return (
    <View style={styles.section}>
      <Text accessibilityRole="header" style={[styles.heading, { color: colors.textMuted }]}>
        {title}
      </Text>
      {children}
    </View>
  );
}

/** Tags, edited in place: each change is a PATCH with the version seen (409 adopts theirs). */
function TagEditor({ ticket }: { ticket: Ticket }) {
  const { colors } = useTheme();
  const dispatch = useAppDispatch();
  const myId = useAppSelector((s) => s.auth.user?.id ?? null);
  const [draft, setDraft] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const save = async (tags: string[]) => {
    setBusy(true);
    setError(null);
    try {
      const next = await patchTicket(ticket.id, ticket.version, { tags });
      dispatch(ticketReceived({ ticket: next, myId }));
      setDraft('');
    } catch (e) {
      const f = toApiFailure(e);
      if (f.code === 'conflict' && f.body?.current) {
        dispatch(ticketReceived({ ticket: f.body.current, myId }));
        setError(t('ticket.conflict'));
      } else {
        setError(f.fields?.tags ?? f.message);
      }
    } finally {
      setBusy(false);
    }
  };
  const add = () => {
    const tag = draft.trim();
    if (!tag || ticket.tags.includes(tag)) return setDraft('');
    void save([...ticket.tags, tag]);
  };

  return (
    <View>
      <View style={styles.tags} testID="context-tags">
        {ticket.tags.length === 0 ? <Muted>{t('context.noTags')}</Muted> : null}
        {ticket.tags.map((tag) => (
          <Pressable
            key={tag}
            testID={`context-tag-${tag}`}
            accessibilityRole="button"
            accessibilityLabel={t('context.removeTag', { tag })}
            disabled={busy}
            onPress={() => void save(ticket.tags.filter((x) => x !== tag))}
            style={[styles.tag, { borderColor: colors.border, backgroundColor: colors.surfaceAlt }]}
          >
            <Text style={{ color: colors.text, fontSize: 12 }}>
              {tag} <Icon name="close" size={12} />
            </Text>
          </Pressable>
        ))}
      </View>
      <View style={styles.addRow}>
        <View style={{ flex: 1 }}>
          <TextField
            label={t('context.addTag')}
            hideLabel
            testID="context-tag-input"
            placeholder={t('context.addTag')}
            value={draft}
            onChangeText={setDraft}
            onSubmitEditing={add}
            autoCapitalize="none"
          />
        </View>
        <Button
          compact
          variant="secondary"
          title={t('context.add')}
          testID="context-tag-add"
          busy={busy}
          disabled={!draft.trim()}
          onPress={add}
        />
      </View>
      <ErrorText testID="context-tag-error">{error}</ErrorText>
    </View>
  );
}

const styles = StyleSheet.create({
  panel: { borderLeftWidth: 1, flexGrow: 0 },
  content: { padding: 12 },
  section: { marginBottom: 16 },
  heading: { fontSize: 12, fontWeight: '700', textTransform: 'uppercase', marginBottom: 6 },
  person: { flexDirection: 'row', alignItems: 'center', gap: 10 },
  other: { flexDirection: 'row', alignItems: 'center', gap: 6, paddingVertical: 4 },
  tags: { flexDirection: 'row', flexWrap: 'wrap', gap: 6, marginBottom: 8 },
  tag: { borderWidth: 1, borderRadius: 999, paddingHorizontal: 8, paddingVertical: 3 },
  addRow: { flexDirection: 'row', alignItems: 'flex-start', gap: 6 },
});
