import { useState } from 'react';

import { Button } from '../../components/Button';
import { Muted } from '../../components/Screen';
import { TextField, type TextFieldProps } from '../../components/TextField';
import { useApiForm } from '../../components/useApiForm';
import { t } from '../../i18n';

/**
 * An admin settings form's save (routing, SLA targets): the server's field errors under their
 * fields, and one message line that says "Saved." or what went wrong.
 */
export function useSettingsSave(savedText: string) {
  const { error, fields, submit, clearError } = useApiForm();
  const [saved, setSaved] = useState(false);

  const save = (action: () => Promise<unknown>) => {
    setSaved(false);
    return submit(async () => {
      await action();
      setSaved(true);
    });
  };
  const clearMessage = () => {
    setSaved(false);
    clearError();
  };

  return { fields, message: error ?? (saved ? savedText : null), save, clearMessage };
}

/** The Save button and the message under it (`<prefix>-save`, `<prefix>-message`). */
export function SaveRow({
  testID,
  busy,
  message,
  onSave,
}: {
  testID: string;
  busy: boolean;
  message: string | null;
  onSave: () => void;
}) {
  return (
    <>
      <Button title={t('common.save')} testID={`${testID}-save`} busy={busy} onPress={onSave} />
      <Muted testID={`${testID}-message`}>{message}</Muted>
    </>
  );
}

/** A whole-number setting (minutes, a count): the number pad; parse it with numbers.ts. */
export function NumberField(props: Omit<TextFieldProps, 'keyboardType'>) {
  return <TextField keyboardType="number-pad" {...props} />;
}
