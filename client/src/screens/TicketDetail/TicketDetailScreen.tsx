import { useIsFocused } from '@react-navigation/native';
import { useEffect, useRef, useState } from 'react';
import { View } from 'react-native';

import { Muted, Screen } from '../../components/Screen';
import { ShortcutsHelp } from '../../components/ShortcutsHelp';
import { t } from '../../i18n';
import { useShortcuts } from '../../lib/shortcuts';
import type { RootScreenProps } from '../../navigation/types';
import type { ComposerHandle } from '../Chat/Composer';
import { ConversationView } from '../Chat/ConversationView';
import { TicketHeader } from './TicketHeader';
import { useTicketData } from './useTicketData';

export function TicketDetailScreen({ route, navigation }: RootScreenProps<'TicketDetail'>) {
  const id = Number(route.params.id);
  const { ticket, events, isStaff, notFound } = useTicketData(id);
  // Keyboard (web): r replies, n writes a note, ? lists the shortcuts (a and s: TicketHeader).
  const focused = useIsFocused();
  const composer = useRef<ComposerHandle>(null);
  const [help, setHelp] = useState(false);
  useShortcuts(
    {
      r: () => composer.current?.focus('text'),
      n: () => isStaff && composer.current?.focus('note'),
      '?': () => setHelp((v) => !v),
      Escape: () => setHelp(false),
    },
    focused && !!ticket,
  );

  useEffect(() => {
    if (ticket) navigation.setOptions({ title: t('ticket.title', { number: ticket.number }) });
  }, [navigation, ticket]);

  if (!ticket) {
    return (
      <Screen testID="ticket-detail-screen">
        <Muted testID={notFound ? 'ticket-not-found' : undefined}>
          {notFound ? t('ticket.notFound') : t('common.loading')}
        </Muted>
      </Screen>
    );
  }
  return (
    <View testID="ticket-detail-screen" style={{ flex: 1 }}>
      <ConversationView
        conversationId={ticket.conversation_id}
        allowNotes={isStaff}
        composerRef={composer}
        focusSeq={route.params.seq}
        header={<TicketHeader ticket={ticket} events={events} shortcuts={focused} />}
      />
      {help ? <ShortcutsHelp onClose={() => setHelp(false)} /> : null}
    </View>
  );
}
