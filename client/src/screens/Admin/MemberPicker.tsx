import { useState } from 'react';
import { StyleSheet, View } from 'react-native';

import { failureText, type ApiFailure } from '../../api/client';
import type { Team } from '../../api/types';
import { Button } from '../../components/Button';
import { ErrorText, Muted } from '../../components/Screen';
import { TextField } from '../../components/TextField';
import { t } from '../../i18n';
import { useAddTeamMemberMutation, useAdminUsersQuery } from '../../state/queries/admin';
import { useDebounced } from './useDebounced';

/** Finds agents (and admins) not yet in the team and adds them; customers are never offered. */
export function MemberPicker({ team, onClose }: { team: Team; onClose: () => void }) {
  const [search, setSearch] = useState('');
  const q = useDebounced(search.trim());
  const page = useAdminUsersQuery({ q });
  const [add] = useAddTeamMemberMutation();
  const [error, setError] = useState<string | null>(null);
  const inTeam = new Set(team.members.map((m) => m.id));
  // currentData: never the previous search's answer while this one loads.
  const candidates = (page.currentData?.items ?? []).filter(
    (u) => u.role !== 'customer' && !u.disabled && !inTeam.has(u.id),
  );

  return (
    <View testID={`team-${team.id}-picker`} style={styles.picker}>
      <TextField
        label={t('admin.teams.addMember', { team: team.name })}
        testID={`team-${team.id}-search`}
        value={search}
        onChangeText={setSearch}
        autoCapitalize="none"
        autoComplete="off"
        autoFocus
      />
      {page.currentData && candidates.length === 0 ? (
        <Muted>{t('admin.teams.noAgents')}</Muted>
      ) : null}
      <View style={styles.list}>
        {candidates.map((u) => (
          <Button
            key={u.id}
            variant="secondary"
            compact
            icon="add"
            title={`${u.display_name} (${t(`role.${u.role}`)})`}
            accessibilityLabel={t('admin.teams.addMemberLabel', {
              member: u.display_name,
              team: team.name,
            })}
            testID={`team-${team.id}-pick-${u.id}`}
            onPress={async () => {
              setError(null);
              try {
                await add({ teamId: team.id, userId: u.id }).unwrap();
              } catch (e) {
                setError(failureText(e as ApiFailure));
              }
            }}
          />
        ))}
      </View>
      <ErrorText testID={`team-${team.id}-picker-error`}>{error}</ErrorText>
      <Button
        variant="secondary"
        compact
        title={t('common.close')}
        testID={`team-${team.id}-picker-close`}
        style={{ alignSelf: 'flex-start' }}
        onPress={onClose}
      />
    </View>
  );
}

const styles = StyleSheet.create({
  picker: { marginTop: 8 },
  list: { flexDirection: 'row', flexWrap: 'wrap', gap: 8, marginVertical: 4 },
});
