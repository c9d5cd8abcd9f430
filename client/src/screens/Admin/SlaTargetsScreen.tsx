import { useState } from 'react';
import { StyleSheet, Text, View } from 'react-native';

import { failureText, type ApiFailure } from '../../api/client';
import { PRIORITIES, type Priority, type SlaSettings } from '../../api/types';
import { ErrorText, Muted, Screen, Title } from '../../components/Screen';
import { t } from '../../i18n';
import { useGetSlaQuery, usePutSlaMutation } from '../../state/queries/desk';
import { useTheme } from '../../theme';
import { parseMinutes, showMinutes } from './numbers';
import { NumberField, SaveRow, useSettingsSave } from './SettingsSave';

type Texts = Record<string, string>;

/** The form's text per field, keyed like the server's field errors (`urgent.resolution_minutes`). */
function textsOf(s: SlaSettings): Texts {
  const out: Texts = { pending_close_minutes: showMinutes(s.pending_close_minutes) };
  for (const p of PRIORITIES) {
    out[`${p}.first_response_minutes`] = String(s[p].first_response_minutes);
    out[`${p}.resolution_minutes`] = String(s[p].resolution_minutes);
  }
  return out;
}

function settingsOf(texts: Texts): SlaSettings {
  // An empty target is not a number either: the server names the field.
  const n = (key: string) => parseMinutes(texts[key] ?? '') ?? Number.NaN;
  const target = (p: Priority) => ({
    first_response_minutes: n(`${p}.first_response_minutes`),
    resolution_minutes: n(`${p}.resolution_minutes`),
  });
  return {
    urgent: target('urgent'),
    high: target('high'),
    medium: target('medium'),
    low: target('low'),
    pending_close_minutes: parseMinutes(texts.pending_close_minutes ?? ''),
  };
}

/** The form, started from the stored settings; it keeps what is typed while the cache reloads. */
function SlaForm({ stored }: { stored: SlaSettings }) {
  const { colors } = useTheme();
  const [save, saving] = usePutSlaMutation();
  const [texts, setTexts] = useState<Texts>(() => textsOf(stored));
  const form = useSettingsSave(t('sla.saved'));

  const set = (key: string) => (value: string) => {
    setTexts((old) => ({ ...old, [key]: value }));
    form.clearMessage();
  };

  const submit = () =>
    form.save(async () => setTexts(textsOf(await save(settingsOf(texts)).unwrap())));

  return (
    <View testID="sla-form">
      {PRIORITIES.slice()
        .reverse()
        .map((p) => (
          <View key={p} style={[styles.priority, { borderColor: colors.border }]}>
            <Text style={[styles.heading, { color: colors.text }]}>{t(`priority.${p}`)}</Text>
            {(['first_response_minutes', 'resolution_minutes'] as const).map((field) => {
              const key = `${p}.${field}`;
              return (
                <NumberField
                  key={key}
                  label={t(
                    field === 'first_response_minutes' ? 'sla.firstResponse' : 'sla.resolution',
                  )}
                  testID={`sla-${p}-${field}`}
                  value={texts[key]}
                  error={form.fields[key]}
                  onChangeText={set(key)}
                />
              );
            })}
          </View>
        ))}
      <NumberField
        label={t('sla.pendingClose')}
        testID="sla-pending-close"
        value={texts.pending_close_minutes}
        hint={t('sla.pendingCloseHint')}
        error={form.fields.pending_close_minutes}
        onChangeText={set('pending_close_minutes')}
      />
      <SaveRow
        testID="sla"
        busy={saving.isLoading}
        message={form.message}
        onSave={() => void submit()}
      />
    </View>
  );
}

/** Admin: first-response and resolution targets per priority, and the auto-close delay. */
export function SlaTargetsScreen() {
  const sla = useGetSlaQuery();
  return (
    <Screen testID="sla-screen" scroll>
      <Title>{t('sla.title')}</Title>
      <Muted>{t('sla.intro')}</Muted>
      <ErrorText testID="sla-load-error">
        {sla.error ? failureText(sla.error as ApiFailure) : null}
      </ErrorText>
      {sla.data ? <SlaForm stored={sla.data} /> : null}
    </Screen>
  );
}

const styles = StyleSheet.create({
  priority: { borderWidth: 1, borderRadius: 8, padding: 12, marginBottom: 12 },
  heading: { fontWeight: '600', marginBottom: 8 },
});
