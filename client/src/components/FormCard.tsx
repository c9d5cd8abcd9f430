import type { ReactNode } from 'react';
import { StyleSheet, View } from 'react-native';

import { t } from '../i18n';
import { useTheme } from '../theme';
import { Button } from './Button';
import { ErrorText } from './Screen';

interface Props {
  /** The card's testID; the error, save and cancel take it as their prefix (`<id>-save`). */
  testID: string;
  children: ReactNode;
  /** What went wrong for the form as a whole (field errors show under their fields). */
  error: string | null | undefined;
  saveTitle: string;
  busy: boolean;
  saveDisabled: boolean;
  onSave: () => void;
  onCancel: () => void;
}

/** A form in a bordered card that opens in a list: its fields, its error, then Save and Cancel. */
export function FormCard({
  testID,
  children,
  error,
  saveTitle,
  busy,
  saveDisabled,
  onSave,
  onCancel,
}: Props) {
  const { colors } = useTheme();
  return (
    <View
      testID={testID}
      style={[styles.form, { borderColor: colors.border, backgroundColor: colors.surface }]}
    >
      {children}
      <ErrorText testID={`${testID}-error`}>{error}</ErrorText>
      <View style={styles.actions}>
        <Button
          title={saveTitle}
          testID={`${testID}-save`}
          busy={busy}
          disabled={saveDisabled}
          onPress={onSave}
        />
        <Button
          variant="secondary"
          title={t('common.cancel')}
          testID={`${testID}-cancel`}
          onPress={onCancel}
        />
      </View>
    </View>
  );
}

const styles = StyleSheet.create({
  form: { borderWidth: 1, borderRadius: 8, padding: 12, marginBottom: 16 },
  actions: { flexDirection: 'row', gap: 8, marginTop: 8 },
});
