import { useRef } from 'react';
import { ScrollView, StyleSheet, View } from 'react-native';

import type { Id } from '../../api/types';
import { Muted } from '../../components/Screen';
import { t } from '../../i18n';
import { useShortcuts } from '../../lib/shortcuts';
import { useTheme } from '../../theme';
import type { ComposerHandle } from '../Chat/Composer';
import { ConversationView } from '../Chat/ConversationView';
import { ContextPanel } from './ContextPanel';
import { TicketHeader } from './TicketHeader';
import { useTicketData } from './useTicketData';

/**
 * The open ticket in the desktop workspace: its header and actions pinned above the
 * conversation, and the context column on the right.
 */
export function TicketPane({
  id,
  shortcuts,
  onOpen,
  contextWidth,
}: {
  id: Id;
  /** Keyboard shortcuts r, n, a, s are on (the workspace is the focused screen). */
  shortcuts: boolean;
  onOpen: (id: Id) => void;
  contextWidth: number;
}) {
  const { colors } = useTheme();
  const { ticket, events, isStaff, notFound } = useTicketData(id);
  const composer = useRef<ComposerHandle>(null);
  useShortcuts(
    {
      r: () => composer.current?.focus('text'),
      n: () => isStaff && composer.current?.focus('note'),
    },
    shortcuts && !!ticket,
  );
  if (!ticket) {
    return (
      <View style={styles.middle} testID="ticket-pane">
        <Muted testID={notFound ? 'ticket-not-found' : undefined}>
          {notFound ? t('ticket.notFound') : t('common.loading')}
        </Muted>
      </View>
    );
  }
  return (
    <View style={styles.row}>
      <View style={styles.middle} testID="ticket-pane">
        <ScrollView
          style={[styles.pinned, { borderColor: colors.border }]}
          contentContainerStyle={styles.pinnedContent}
        >
          <TicketHeader ticket={ticket} events={events} shortcuts={shortcuts} />
        </ScrollView>
        <ConversationView
          key={ticket.conversation_id}
          conversationId={ticket.conversation_id}
          allowNotes={isStaff}
          composerRef={composer}
        />
      </View>
      <ContextPanel ticket={ticket} onOpen={onOpen} width={contextWidth} />
    </View>
  );
}

const styles = StyleSheet.create({
  row: { flex: 1, flexDirection: 'row' },
  middle: { flex: 1, minWidth: 0 },
  pinned: { flexGrow: 0, maxHeight: '45%', borderBottomWidth: 1 },
  pinnedContent: { padding: 8 },
});
