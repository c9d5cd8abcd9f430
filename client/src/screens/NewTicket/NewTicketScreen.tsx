import { useState } from 'react';

import { createTicket } from '../../api/tickets';
import { PRIORITIES, type Priority } from '../../api/types';
import { Button } from '../../components/Button';
import { Chips } from '../../components/Chips';
import { ErrorText, Screen, Title } from '../../components/Screen';
import { TextField } from '../../components/TextField';
import { formErrors, useApiForm } from '../../components/useApiForm';
import { t } from '../../i18n';
import type { RootScreenProps } from '../../navigation/types';
import { refreshConversation } from '../../state/queries/conversations';
import { useAppDispatch } from '../../state/hooks';
import { ticketReceived } from '../../state/queries/tickets';

export function NewTicketScreen({ navigation }: RootScreenProps<'NewTicket'>) {
  const dispatch = useAppDispatch();
  const [subject, setSubject] = useState('');
  const [body, setBody] = useState('');
  const [priority, setPriority] = useState<Priority>('medium');
  const form = useApiForm((f) =>
    formErrors(f, undefined, (f) => (f.code === 'network' ? t('common.networkError') : f.message)),
  );

  const submit = () =>
    form.submit(async () => {
      const ticket = await createTicket(subject.trim(), body.trim(), priority);
      dispatch(ticketReceived({ ticket, myId: ticket.requester.id }));
      void dispatch(refreshConversation(ticket.conversation_id));
      navigation.replace('TicketDetail', { id: ticket.id });
    });

  return (
    <Screen testID="new-ticket-screen" scroll style={{ maxWidth: 640 }}>
      <Title>{t('newTicket.title')}</Title>
      <TextField
        label={t('field.subject')}
        testID="new-ticket-subject"
        value={subject}
        onChangeText={setSubject}
        maxLength={200}
        placeholder={t('newTicket.subjectHint')}
        error={form.fields.subject}
      />
      <TextField
        label={t('field.message')}
        testID="new-ticket-body"
        value={body}
        onChangeText={setBody}
        multiline
        numberOfLines={6}
        style={{ minHeight: 120, textAlignVertical: 'top' }}
        placeholder={t('newTicket.bodyHint')}
        error={form.fields.body}
      />
      <Chips
        testID="new-ticket-priority"
        label={t('field.priority')}
        showLabel
        value={priority}
        onChange={setPriority}
        options={PRIORITIES.map((p) => ({ value: p, label: t(`priority.${p}`) }))}
      />
      <ErrorText testID="new-ticket-error">{form.error}</ErrorText>
      <Button
        title={t('newTicket.submit')}
        testID="new-ticket-submit"
        onPress={submit}
        busy={form.busy}
        disabled={!subject.trim() || !body.trim()}
        style={{ marginTop: 12 }}
      />
    </Screen>
  );
}
