import { useState } from 'react';
import { Pressable, StyleSheet, Text, View } from 'react-native';

import { failureText, type ApiFailure } from '../../../api/client';
import type { NewWebhook } from '../../../api/types';
import { Button } from '../../../components/Button';
import { Icon } from '../../../components/Icon';
import { ErrorText } from '../../../components/Screen';
import { TextField } from '../../../components/TextField';
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
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<{ url?: string; events?: string; form?: string }>({});

  const toggle = (e: string) =>
    setEvents((list) => (list.includes(e) ? list.filter((x) => x !== e) : [...list, e]));

  const submit = async () => {
    setBusy(true);
    setErrors({});
    try {
      await onSubmit({ url: url.trim(), events, include_notes: notes });
    } catch (e) {
      const f = e as ApiFailure;
      const fields = { url: f.fields?.url, events: f.fields?.events };
      setErrors(fields.url || fields.events ? fields : { form: failureText(f) });
      setBusy(false);
    }
  };

  return (
    <View
      testID="webhook-form"
      style={[styles.form, { borderColor: colors.border, backgroundColor: colors.surface }]}
    >
      <TextField
        label={t('webhooks.url')}
        testID="webhook-form-url"
        value={url}
        autoCapitalize="none"
        autoCorrect={false}
        keyboardType="url"
        hint={t('webhooks.urlHint')}
        error={errors.url}
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
      <ErrorText testID="webhook-form-events-error">{errors.events}</ErrorText>
      <Check
        label={t('webhooks.includeNotes')}
        checked={notes}
        testID="webhook-form-notes"
        onToggle={() => setNotes((n) => !n)}
      />
      <ErrorText testID="webhook-form-error">{errors.form}</ErrorText>
      <View style={styles.actions}>
        <Button
          title={t('webhooks.create')}
          testID="webhook-form-save"
          busy={busy}
          disabled={!url.trim() || events.length === 0}
          onPress={() => void submit()}
        />
        <Button
          variant="secondary"
          title={t('common.cancel')}
          testID="webhook-form-cancel"
          onPress={onCancel}
        />
      </View>
    </View>
  );
}

const styles = StyleSheet.create({
  form: { borderWidth: 1, borderRadius: 8, padding: 12, marginBottom: 16 },
  label: { fontSize: 13, marginBottom: 4 },
  check: { flexDirection: 'row', alignItems: 'center', gap: 8, paddingVertical: 6 },
  actions: { flexDirection: 'row', gap: 8, marginTop: 8 },
});
