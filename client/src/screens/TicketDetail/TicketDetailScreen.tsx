import { useIsFocused } from '@react-navigation/native';
import { useEffect, useRef, useState } from 'react';
import { View } from 'react-native';

import { toApiFailure } from '../../api/client';
import { getTicket } from '../../api/tickets';
import { Muted, Screen } from '../../components/Screen';
import { ShortcutsHelp } from '../../components/ShortcutsHelp';
import { t } from '../../i18n';
import { useShortcuts } from '../../lib/shortcuts';
import type { RootScreenProps } from '../../navigation/types';
import { useAppDispatch, useAppSelector } from '../../state/hooks';
import { fetchTeams, fetchTicketEvents, ticketUpserted } from '../../state/tickets';
import type { ComposerHandle } from '../Chat/Composer';
import { ConversationView } from '../Chat/ConversationView';
import { TicketHeader } from './TicketHeader';

export function TicketDetailScreen({ route, navigation }: RootScreenProps<'TicketDetail'>) {
  const id = Number(route.params.id);
  const dispatch = useAppDispatch();
  const ticket = useAppSelector((s) => s.tickets.byId[String(id)]);
  const events = useAppSelector((s) => s.tickets.events[String(id)]);
  const role = useAppSelector((s) => s.auth.user?.role);
  const myId = useAppSelector((s) => s.auth.user?.id ?? null);
  const isStaff = role === 'agent' || role === 'admin';
  const [notFound, setNotFound] = useState(false);
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
    getTicket(id)
      .then((tk) => dispatch(ticketUpserted({ ticket: tk, myId })))
      .catch((e) => {
        if (toApiFailure(e).status === 404) setNotFound(true);
      });
    if (isStaff) void dispatch(fetchTeams());
  }, [dispatch, id, isStaff, myId]);

  // History changes with every version.
  const version = ticket?.version;
  useEffect(() => {
    if (version != null) void dispatch(fetchTicketEvents(id));
  }, [dispatch, id, version]);

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
        header={<TicketHeader ticket={ticket} events={events} shortcuts={focused} />}
      />
      {help ? <ShortcutsHelp onClose={() => setHelp(false)} /> : null}
    </View>
  );
}
