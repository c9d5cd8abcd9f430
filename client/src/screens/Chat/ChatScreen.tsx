import { useEffect } from 'react';

import { t } from '../../i18n';
import type { RootScreenProps } from '../../navigation/types';
import { useAppSelector } from '../../state/hooks';
import { CallButtons } from '../Call/CallButtons';
import { ConversationView } from './ConversationView';

export function ChatScreen({ route, navigation }: RootScreenProps<'Chat'>) {
  const id = Number(route.params.id);
  const me = useAppSelector((s) => s.auth.user);
  const conv = useAppSelector((s) => s.conversations.byId[String(id)]);
  const other = conv?.members.find((m) => m.user_id !== me?.id);
  const title =
    conv?.kind === 'direct'
      ? (other?.display_name ?? conv.title)
      : (conv?.title ?? t('chats.title'));
  useEffect(() => {
    navigation.setOptions({ title });
  }, [navigation, title]);
  const calls =
    conv?.kind === 'direct' && other ? (
      <CallButtons conversationId={id} peerName={other.display_name} />
    ) : null;
  return (
    <ConversationView
      conversationId={id}
      allowNotes={false}
      focusSeq={route.params.seq}
      header={calls}
    />
  );
}
