import { useState } from 'react';
import { StyleSheet, View } from 'react-native';

import type { InvitedUser } from '../../api/admin';
import type { Role } from '../../api/types';
import { DisplayNameField, EmailField, emailTakenErrors } from '../../components/AccountFields';
import { Button } from '../../components/Button';
import { Chips } from '../../components/Chips';
import { ErrorText } from '../../components/Screen';
import { useApiForm } from '../../components/useApiForm';
import { t } from '../../i18n';
import { useCreateAdminUserMutation } from '../../state/queries/admin';

export const ROLES: Role[] = ['customer', 'agent', 'admin'];
export const roleOptions = () => ROLES.map((r) => ({ value: r, label: t(`role.${r}`) }));

/** Creates an account (an agent unless chosen otherwise) and hands back its invite. */
export function InviteForm({
  onCreated,
  onCancel,
}: {
  onCreated: (invited: InvitedUser) => void;
  onCancel: () => void;
}) {
  const [create, { isLoading }] = useCreateAdminUserMutation();
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('agent');
  // The button's busy comes from the mutation; the form only keeps the errors.
  const form = useApiForm(emailTakenErrors(t('admin.users.emailTaken')));

  const submit = () =>
    form.submit(async () =>
      onCreated(await create({ email: email.trim(), display_name: name.trim(), role }).unwrap()),
    );

  return (
    <View testID="invite-form" style={styles.form}>
      <EmailField
        testID="invite-email"
        value={email}
        onChangeText={setEmail}
        autoComplete="off"
        error={form.fields.email}
      />
      <DisplayNameField
        testID="invite-name"
        value={name}
        onChangeText={setName}
        autoComplete="off"
        error={form.fields.display_name}
        onSubmitEditing={() => void submit()}
      />
      <Chips
        label={t('admin.users.role')}
        showLabel
        testID="invite-role"
        options={roleOptions()}
        value={role}
        onChange={setRole}
      />
      <ErrorText testID="invite-error">{form.error ?? form.fields.role}</ErrorText>
      <View style={styles.actions}>
        <Button
          variant="secondary"
          compact
          title={t('common.cancel')}
          testID="invite-cancel"
          onPress={onCancel}
        />
        <Button
          compact
          title={t('admin.users.create')}
          testID="invite-submit"
          busy={isLoading}
          disabled={!email.trim() || !name.trim()}
          onPress={() => void submit()}
        />
      </View>
    </View>
  );
}

const styles = StyleSheet.create({
  form: { marginVertical: 12 },
  actions: { flexDirection: 'row', gap: 8, justifyContent: 'flex-end', marginTop: 8 },
});
