import { useState } from 'react';
import { Pressable, StyleSheet, Text } from 'react-native';

import type { NewWebhook } from '../../../api/types';
import { FormCard } from '../../../components/FormCard';
import { Icon } from '../../../components/Icon';
import { ErrorText } from '../../../components/Screen';
import { TextField } from '../../../components/TextField';
import { formErrors, useApiForm } from '../../../components/useApiForm';
import { t } from '../../../i18n';
import { useTheme } from '../../../theme';

/** The event types an endpoint can subscribe to (the server refuses any other). */
export const EVENTS = ['ticket.created', 'ticket.updated', 'message.created', 'user.created'];

interface Props {
  onSubmit: (values: NewWebhook) => Promise<void>;
  onCancel: () => void;
}

/** A checkbox row: its state is what assistive technology reads. */
function Check({
  label,
  checked,
  testID,
  onToggle,
}: {
  label: string;
  checked: boolean;
  testID: string;
  onToggle: () => void;
}) {
  const { colors } = useTheme();
  return (
    <Pressable
      testID={testID}
      accessibilityRole="checkbox"
      accessibilityLabel={label}
      accessibilityState={{ checked }}
      aria-checked={checked}
      onPress={onToggle}
      style={styles.check}
    >
      <Icon name={checked ? 'checkbox' : 'square-outline'} size={20} color={colors.primary} />
      <Text style={{ color: colors.text }}>{label}</Text>
    </Pressable>
  );
}

/** Register an endpoint: its URL and the events it wants. The server's field errors show under
 * their fields (an address on a private network, an unknown event). */
export function WebhookForm({ onSubmit, onCancel }: Props) {
  const { colors } = useTheme();
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<string[]>([]);
  const [notes, setNotes] = useState(false);
  const form = useApiForm((f) => formErrors(f, ['url', 'events']));

  const toggle = (e: string) =>
    setEvents((list) => (list.includes(e) ? list.filter((x) => x !== e) : [...list, e]));

  return (
    <FormCard
      testID="webhook-form"
      form={form}
      saveTitle={t('webhooks.create')}
      saveDisabled={!url.trim() || events.length === 0}
      onSave={() => onSubmit({ url: url.trim(), events, include_notes: notes })}
      onCancel={onCancel}
    >
      <TextField
        label={t('webhooks.url')}
        testID="webhook-form-url"
        value={url}
        autoCapitalize="none"
        autoCorrect={false}
        keyboardType="url"
        hint={t('webhooks.urlHint')}
        error={form.fields.url}
        onChangeText={setUrl}
      />
      <Text style={[styles.label, { color: colors.textMuted }]}>{t('webhooks.events')}</Text>
      {EVENTS.map((e) => (
        <Check
          key={e}
          label={e}
          checked={events.includes(e)}
          testID={`webhook-form-event-${e}`}
          onToggle={() => toggle(e)}
        />
      ))}
      <ErrorText testID="webhook-form-events-error">{form.fields.events}</ErrorText>
      <Check
        label={t('webhooks.includeNotes')}
        checked={notes}
        testID="webhook-form-notes"
        onToggle={() => setNotes((n) => !n)}
      />
    </FormCard>
  );
}

const styles = StyleSheet.create({
  label: { fontSize: 13, marginBottom: 4 },
  check: { flexDirection: 'row', alignItems: 'center', gap: 8, paddingVertical: 6 },
});
