import type { ReactNode } from 'react';
import { StyleSheet, View } from 'react-native';

import { t } from '../i18n';
import { useTheme } from '../theme';
import { Button } from './Button';
import { ErrorText } from './Screen';
import type { ApiForm } from './useApiForm';

interface Props {
  /** The card's testID; the error, save and cancel take it as their prefix (`<id>-save`). */
  testID: string;
  children: ReactNode;
  /** The form's submit state: Save runs `onSave` through it; its error shows above the buttons
   * (field errors show under their fields). */
  form: Pick<ApiForm, 'busy' | 'error' | 'submit'>;
  saveTitle: string;
  saveDisabled: boolean;
  onSave: () => Promise<unknown>;
  onCancel: () => void;
}

/** A form in a bordered card that opens in a list: its fields, its error, then Save and Cancel. */
export function FormCard({
  testID,
  children,
  form,
  saveTitle,
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
      <ErrorText testID={`${testID}-error`}>{form.error}</ErrorText>
      <View style={styles.actions}>
        <Button
          title={saveTitle}
          testID={`${testID}-save`}
          busy={form.busy}
          disabled={saveDisabled}
          onPress={() => void form.submit(onSave)}
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
