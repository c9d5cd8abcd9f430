import { useState } from 'react';
import { StyleSheet, Switch, Text, View } from 'react-native';

import type { ApiFailure } from '../../api/client';
import type { CannedResponse, NewCannedResponse } from '../../api/types';
import { FormCard } from '../../components/FormCard';
import { TextField } from '../../components/TextField';
import { formErrors, useApiForm, type FormErrors } from '../../components/useApiForm';
import { t } from '../../i18n';
import { useTheme } from '../../theme';

const FIELDS = ['shortcut', 'title', 'body'];

/** Field errors by name, and what is left for the form as a whole. */
function cannedErrors(f: ApiFailure): FormErrors {
  const errors = formErrors(f, FIELDS);
  // A duplicate shortcut is a 409 without fields: it belongs to the shortcut all the same.
  if (f.code === 'conflict' && /shortcut/i.test(f.message) && !errors.fields.shortcut) {
    return { fields: { ...errors.fields, shortcut: t('canned.shortcutTaken') }, form: null };
  }
  return errors;
}

interface Props {
  /** The response being edited; none for a new one. */
  editing?: CannedResponse;
  /** Admins may share a new response with the desk. */
  canShare: boolean;
  onSubmit: (values: NewCannedResponse) => Promise<void>;
  onCancel: () => void;
}

/** Create or edit one canned response; the server's field errors show under their form.fields. */
export function CannedForm({ editing, canShare, onSubmit, onCancel }: Props) {
  const { colors } = useTheme();
  const [shortcut, setShortcut] = useState(editing?.shortcut ?? '');
  const [title, setTitle] = useState(editing?.title ?? '');
  const [body, setBody] = useState(editing?.body ?? '');
  const [shared, setShared] = useState(false);
  const form = useApiForm(cannedErrors);

  return (
    <FormCard
      testID="canned-form"
      form={form}
      saveTitle={t('common.save')}
      saveDisabled={!shortcut.trim() || !title.trim() || !body.trim()}
      onSave={() => onSubmit({ shortcut: shortcut.trim(), title: title.trim(), body, shared })}
      onCancel={onCancel}
    >
      <TextField
        label={t('canned.shortcut')}
        testID="canned-form-shortcut"
        value={shortcut}
        autoCapitalize="none"
        autoCorrect={false}
        hint={t('canned.shortcutHint')}
        error={form.fields.shortcut}
        onChangeText={setShortcut}
      />
      <TextField
        label={t('canned.titleField')}
        testID="canned-form-title"
        value={title}
        error={form.fields.title}
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
        error={form.fields.body}
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
    </FormCard>
  );
}

const styles = StyleSheet.create({
  body: { minHeight: 110, textAlignVertical: 'top' },
  switchRow: { flexDirection: 'row', alignItems: 'center', gap: 10, marginBottom: 12 },
});
