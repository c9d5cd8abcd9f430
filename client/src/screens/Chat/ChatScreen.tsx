import { useEffect } from 'react';
import { StyleSheet, View } from 'react-native';

import { MuteButton } from '../../components/MuteButton';
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
  const header = (
    <View style={styles.header}>
      {conv?.kind === 'direct' && other ? (
        <CallButtons conversationId={id} peerName={other.display_name} />
      ) : null}
      <MuteButton conversationId={id} />
    </View>
  );
  return (
    <ConversationView
      conversationId={id}
      allowNotes={false}
      focusSeq={route.params.seq}
      header={header}
    />
  );
}

const styles = StyleSheet.create({
  header: { flexDirection: 'row', flexWrap: 'wrap', alignItems: 'flex-end', gap: 8 },
});
