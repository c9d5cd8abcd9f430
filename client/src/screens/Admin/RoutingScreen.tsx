import { useState } from 'react';
import { StyleSheet, View } from 'react-native';

import { failureText, type ApiFailure } from '../../api/client';
import {
  ON_BREACH,
  ROUTING_RULES,
  type Id,
  type OnBreach,
  type RoutingRule,
  type TeamRouting,
} from '../../api/types';
import { Chips } from '../../components/Chips';
import { ErrorText, Muted, Screen, Title } from '../../components/Screen';
import { t } from '../../i18n';
import { useGetRoutingQuery, usePutRoutingMutation } from '../../state/queries/desk';
import { useGetTeamsQuery } from '../../state/queries/tickets';
import { parseMinutes, showMinutes } from './numbers';
import { NumberField, SaveRow, useSettingsSave } from './SettingsSave';

/** One team's rule, cap, unassigned-wait limit, breach action, and whether it is the intake. */
function RoutingForm({ teamId, routing }: { teamId: Id; routing: TeamRouting }) {
  const [save, saving] = usePutRoutingMutation();
  const [rule, setRule] = useState<RoutingRule>(routing.rule);
  const [cap, setCap] = useState(showMinutes(routing.max_open));
  const [limit, setLimit] = useState(showMinutes(routing.unassigned_limit_minutes));
  const [onBreach, setOnBreach] = useState<OnBreach>(routing.on_breach);
  const [intake, setIntake] = useState(routing.intake ? 'yes' : 'no');
  const form = useSettingsSave(t('routing.saved'));

  const submit = () =>
    form.save(() =>
      save({
        teamId,
        routing: {
          rule,
          max_open: parseMinutes(cap),
          unassigned_limit_minutes: parseMinutes(limit),
          on_breach: onBreach,
          intake: intake === 'yes',
        },
      }).unwrap(),
    );

  return (
    <View testID="routing-form" style={styles.form}>
      <Chips
        testID="routing-rule"
        label={t('routing.rule')}
        showLabel
        options={ROUTING_RULES.map((r) => ({ value: r, label: t(`routing.rule.${r}`) }))}
        value={rule}
        onChange={setRule}
      />
      <NumberField
        label={t('routing.cap')}
        testID="routing-cap"
        value={cap}
        hint={t('routing.capHint')}
        error={form.fields.max_open}
        onChangeText={setCap}
      />
      <NumberField
        label={t('routing.limit')}
        testID="routing-limit"
        value={limit}
        hint={t('routing.limitHint')}
        error={form.fields.unassigned_limit_minutes}
        onChangeText={setLimit}
      />
      <Chips
        testID="routing-on-breach"
        label={t('routing.onBreach')}
        showLabel
        options={ON_BREACH.map((o) => ({ value: o, label: t(`routing.onBreach.${o}`) }))}
        value={onBreach}
        onChange={setOnBreach}
      />
      <Chips
        testID="routing-intake"
        label={t('routing.intake')}
        showLabel
        options={[
          { value: 'yes', label: t('routing.intake.yes') },
          { value: 'no', label: t('routing.intake.no') },
        ]}
        value={intake}
        onChange={setIntake}
      />
      <SaveRow
        testID="routing"
        busy={saving.isLoading}
        message={form.message}
        onSave={() => void submit()}
      />
    </View>
  );
}

/** Admin: pick a team, then read and set how its tickets are routed. */
export function RoutingScreen() {
  const teams = useGetTeamsQuery();
  // The team picked, else the first one.
  const [picked, setTeamId] = useState<Id | null>(null);
  const teamId = picked ?? teams.data?.[0]?.id ?? null;
  const routing = useGetRoutingQuery(teamId ?? 0, { skip: teamId === null });
  const failure = teams.error ?? routing.error;

  return (
    <Screen testID="routing-screen" scroll>
      <Title>{t('routing.title')}</Title>
      <Muted>{t('routing.intro')}</Muted>
      {teams.data && teams.data.length === 0 ? (
        <Muted testID="routing-no-teams">{t('routing.noTeams')}</Muted>
      ) : null}
      {teams.data?.length ? (
        <Chips
          testID="routing-team"
          label={t('routing.team')}
          showLabel
          options={teams.data.map((team) => ({ value: String(team.id), label: team.name }))}
          value={teamId === null ? null : String(teamId)}
          onChange={(v) => setTeamId(Number(v))}
        />
      ) : null}
      <ErrorText testID="routing-error">
        {failure ? failureText(failure as ApiFailure) : null}
      </ErrorText>
      {teamId !== null && routing.currentData ? (
        // A new key per team starts the form from that team's stored values; reloading the
        // same team after a save keeps the form (and its "Saved.") as it is.
        <RoutingForm key={teamId} teamId={teamId} routing={routing.currentData} />
      ) : null}
    </Screen>
  );
}

const styles = StyleSheet.create({
  form: { marginTop: 8, gap: 4 },
});
