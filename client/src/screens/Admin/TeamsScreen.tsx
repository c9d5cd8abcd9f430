import { useState } from 'react';
import { StyleSheet, View } from 'react-native';

import { failureText, type ApiFailure } from '../../api/client';
import { Button } from '../../components/Button';
import { ErrorText, Muted, Screen, Title } from '../../components/Screen';
import { TextField } from '../../components/TextField';
import { t } from '../../i18n';
import { useCreateTeamMutation } from '../../state/queries/admin';
import { useGetTeamsQuery } from '../../state/queries/tickets';
import { useRefetchOnFocus } from '../../state/queries/useRefetchOnFocus';
import { TeamCard } from './TeamCard';

/** Admin: teams and their agents. */
export function TeamsScreen() {
  const teams = useGetTeamsQuery();
  useRefetchOnFocus(teams.refetch);
  const [create, creating] = useCreateTeamMutation();
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);

  const submit = async () => {
    setError(null);
    try {
      await create(name.trim()).unwrap();
      setName('');
    } catch (e) {
      const f = e as ApiFailure;
      setError(f.status === 409 ? t('admin.teams.nameTaken') : (f.fields?.name ?? failureText(f)));
    }
  };

  return (
    <Screen testID="admin-teams" scroll>
      <Title>{t('admin.teams.title')}</Title>
      <Muted>{t('admin.teams.intro')}</Muted>
      <View style={styles.create}>
        <View style={{ flex: 1 }}>
          <TextField
            label={t('admin.teams.name')}
            testID="teams-name"
            value={name}
            onChangeText={setName}
            error={error}
            onSubmitEditing={() => void submit()}
          />
        </View>
        <Button
          icon="add"
          title={t('admin.teams.create')}
          testID="teams-create"
          busy={creating.isLoading}
          disabled={!name.trim()}
          onPress={() => void submit()}
        />
      </View>
      <ErrorText testID="teams-error">
        {teams.error ? failureText(teams.error as ApiFailure) : null}
      </ErrorText>
      {teams.data && teams.data.length === 0 ? (
        <Muted testID="teams-empty">{t('admin.teams.empty')}</Muted>
      ) : null}
      {teams.data?.map((team) => (
        <TeamCard key={team.id} team={team} />
      ))}
    </Screen>
  );
}

const styles = StyleSheet.create({
  create: { flexDirection: 'row', gap: 8, alignItems: 'center' },
});
