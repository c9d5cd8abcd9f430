import { useState } from 'react';
import { StyleSheet, Text, View } from 'react-native';

import { failureText, type ApiFailure } from '../../api/client';
import type { Team } from '../../api/types';
import { Button } from '../../components/Button';
import { ErrorText, Muted } from '../../components/Screen';
import { TextField } from '../../components/TextField';
import { t } from '../../i18n';
import {
  useDeleteTeamMutation,
  useRemoveTeamMemberMutation,
  useRenameTeamMutation,
} from '../../state/queries/admin';
import { useTheme } from '../../theme';
import { MemberPicker } from './MemberPicker';

type Mode = 'view' | 'rename' | 'delete' | 'add';

/** One team: its members (remove, add an agent), rename, delete. */
export function TeamCard({ team }: { team: Team }) {
  const { colors, radius } = useTheme();
  const [mode, setMode] = useState<Mode>('view');
  const [name, setName] = useState(team.name);
  const [error, setError] = useState<string | null>(null);
  const [rename, renaming] = useRenameTeamMutation();
  const [remove, deleting] = useDeleteTeamMutation();
  const [removeMember] = useRemoveTeamMemberMutation();

  const run = async (action: () => Promise<unknown>, then: Mode = 'view') => {
    setError(null);
    try {
      await action();
      setMode(then);
    } catch (e) {
      const f = e as ApiFailure;
      setError(f.status === 409 ? t('admin.teams.nameTaken') : (f.fields?.name ?? failureText(f)));
    }
  };

  return (
    <View
      testID={`team-${team.id}`}
      style={[
        styles.card,
        { borderColor: colors.border, backgroundColor: colors.surface, borderRadius: radius },
      ]}
    >
      <Text accessibilityRole="header" style={[styles.name, { color: colors.text }]}>
        {team.name}
      </Text>
      <Muted>{t('admin.teams.members', { count: team.members.length })}</Muted>
      {team.members.length === 0 ? <Muted>{t('admin.teams.noMembers')}</Muted> : null}
      {team.members.map((m) => (
        <View key={m.id} style={styles.member} testID={`team-${team.id}-member-${m.id}`}>
          <Text style={{ color: colors.text, flex: 1 }}>{m.display_name}</Text>
          <Button
            variant="secondary"
            compact
            icon="close"
            title=""
            accessibilityLabel={t('admin.teams.removeMember', {
              member: m.display_name,
              team: team.name,
            })}
            testID={`team-${team.id}-remove-${m.id}`}
            onPress={() =>
              void run(() => removeMember({ teamId: team.id, userId: m.id }).unwrap(), mode)
            }
          />
        </View>
      ))}
      {mode === 'rename' ? (
        <View>
          <TextField
            label={t('admin.teams.newName', { name: team.name })}
            testID={`team-${team.id}-name`}
            value={name}
            onChangeText={setName}
            autoFocus
            onSubmitEditing={() => void run(() => rename({ id: team.id, name }).unwrap())}
          />
          <View style={styles.actions}>
            <Button
              variant="secondary"
              compact
              title={t('common.cancel')}
              testID={`team-${team.id}-rename-cancel`}
              onPress={() => setMode('view')}
            />
            <Button
              compact
              title={t('common.save')}
              testID={`team-${team.id}-rename-save`}
              busy={renaming.isLoading}
              disabled={!name.trim()}
              onPress={() => void run(() => rename({ id: team.id, name }).unwrap())}
            />
          </View>
        </View>
      ) : mode === 'delete' ? (
        <View style={styles.actions}>
          <Text style={{ color: colors.text, flexShrink: 1 }}>
            {t('admin.teams.confirmDelete', { name: team.name })}
          </Text>
          <Button
            variant="danger"
            compact
            title={t('admin.teams.delete')}
            testID={`team-${team.id}-delete-confirm`}
            busy={deleting.isLoading}
            onPress={() => void run(() => remove(team.id).unwrap())}
          />
          <Button
            variant="secondary"
            compact
            title={t('common.cancel')}
            testID={`team-${team.id}-delete-cancel`}
            onPress={() => setMode('view')}
          />
        </View>
      ) : mode === 'add' ? (
        <MemberPicker team={team} onClose={() => setMode('view')} />
      ) : (
        <View style={styles.actions}>
          <Button
            variant="secondary"
            compact
            icon="person-add-outline"
            title={t('admin.teams.addMember', { team: team.name })}
            testID={`team-${team.id}-add`}
            onPress={() => setMode('add')}
          />
          <Button
            variant="secondary"
            compact
            title={t('admin.teams.rename')}
            accessibilityLabel={t('admin.teams.renameLabel', { name: team.name })}
            testID={`team-${team.id}-rename`}
            onPress={() => {
              setName(team.name);
              setMode('rename');
            }}
          />
          <Button
            variant="secondary"
            compact
            title={t('admin.teams.delete')}
            accessibilityLabel={t('admin.teams.deleteLabel', { name: team.name })}
            testID={`team-${team.id}-delete`}
            onPress={() => setMode('delete')}
          />
        </View>
      )}
      <ErrorText testID={`team-${team.id}-error`}>{error}</ErrorText>
    </View>
  );
}

const styles = StyleSheet.create({
  card: { borderWidth: 1, padding: 12, marginVertical: 6 },
  name: { fontWeight: '700', fontSize: 16 },
  member: { flexDirection: 'row', alignItems: 'center', gap: 8, paddingVertical: 2 },
  actions: { flexDirection: 'row', flexWrap: 'wrap', gap: 8, alignItems: 'center', marginTop: 8 },
});
