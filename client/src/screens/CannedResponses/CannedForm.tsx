import { useState } from 'react';
import { StyleSheet, Switch, Text, View } from 'react-native';

import { failureText, type ApiFailure } from '../../api/client';
import type { CannedResponse, NewCannedResponse } from '../../api/types';
import { Button } from '../../components/Button';
import { ErrorText } from '../../components/Screen';
import { TextField } from '../../components/TextField';
import { t } from '../../i18n';
import { useTheme } from '../../theme';

type Field = 'shortcut' | 'title' | 'body';
const FIELDS: Field[] = ['shortcut', 'title', 'body'];

/** Field errors by name, and what is left for the form as a whole. */
export function formErrors(f: ApiFailure): {
  fields: Partial<Record<Field, string>>;
  form: string | null;
} {
  const fields: Partial<Record<Field, string>> = {};
  for (const name of FIELDS) {
    const message = f.fields?.[name];
    if (message) fields[name] = message;
  }
  // A duplicate shortcut is a 409 without fields: it belongs to the shortcut all the same.
  if (f.code === 'conflict' && /shortcut/i.test(f.message) && !fields.shortcut) {
    fields.shortcut = t('canned.shortcutTaken');
  }
  const form = Object.keys(fields).length ? null : failureText(f);
  return { fields, form };
}

interface Props {
  /** The response being edited; none for a new one. */
  editing?: CannedResponse;
  /** Admins may share a new response with the desk. */
  canShare: boolean;
  onSubmit: (values: NewCannedResponse) => Promise<void>;
  onCancel: () => void;
}

/** Create or edit one canned response; the server's field errors show under their fields. */
export function CannedForm({ editing, canShare, onSubmit, onCancel }: Props) {
  const { colors } = useTheme();
  const [shortcut, setShortcut] = useState(editing?.shortcut ?? '');
  const [title, setTitle] = useState(editing?.title ?? '');
  const [body, setBody] = useState(editing?.body ?? '');
  const [shared, setShared] = useState(false);
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<ReturnType<typeof formErrors>>({ fields: {}, form: null });

  const submit = async () => {
    setBusy(true);
    setErrors({ fields: {}, form: null });
    try {
      await onSubmit({ shortcut: shortcut.trim(), title: title.trim(), body, shared });
    } catch (e) {
      setErrors(formErrors(e as ApiFailure));
      setBusy(false);
    }
  };

  return (
    <View
      testID="canned-form"
      style={[styles.form, { borderColor: colors.border, backgroundColor: colors.surface }]}
    >
      <TextField
        label={t('canned.shortcut')}
        testID="canned-form-shortcut"
        value={shortcut}
        autoCapitalize="none"
        autoCorrect={false}
        hint={t('canned.shortcutHint')}
        error={errors.fields.shortcut}
        onChangeText={setShortcut}
      />
      <TextField
        label={t('canned.titleField')}
        testID="canned-form-title"
        value={title}
        error={errors.fields.title}
        onChangeText={setTitle}
      />
      <TextField
        label={t('canned.body')}
        testID="canned-form-body"
        value={body}
        multiline
        numberOfLines={5}
        style={styles.body}
        hint={t('canned.bodyHint')}
        error={errors.fields.body}
        onChangeText={setBody}
      />
      {canShare && !editing ? (
        <View style={styles.switchRow}>
          <Switch
            testID="canned-form-shared"
            accessibilityLabel={t('canned.sharedSwitch')}
            value={shared}
            onValueChange={setShared}
          />
          <Text style={{ color: colors.text }}>{t('canned.sharedSwitch')}</Text>
        </View>
      ) : null}
      <ErrorText testID="canned-form-error">{errors.form}</ErrorText>
      <View style={styles.actions}>
        <Button
          title={t('common.save')}
          testID="canned-form-save"
          busy={busy}
          disabled={!shortcut.trim() || !title.trim() || !body.trim()}
          onPress={() => void submit()}
        />
        <Button
          variant="secondary"
          title={t('common.cancel')}
          testID="canned-form-cancel"
          onPress={onCancel}
        />
      </View>
    </View>
  );
}

const styles = StyleSheet.create({
  form: { borderWidth: 1, borderRadius: 8, padding: 12, marginBottom: 16 },
  body: { minHeight: 110, textAlignVertical: 'top' },
  switchRow: { flexDirection: 'row', alignItems: 'center', gap: 10, marginBottom: 12 },
  actions: { flexDirection: 'row', gap: 8 },
});
