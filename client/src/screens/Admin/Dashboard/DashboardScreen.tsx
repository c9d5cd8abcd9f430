import { useMemo, useState } from 'react';
import { ActivityIndicator, StyleSheet, Text, View, useWindowDimensions } from 'react-native';

import type { StatsFigures } from '../../../api/types';
import { Chips } from '../../../components/Chips';
import { ErrorText, Muted, Screen, Title } from '../../../components/Screen';
import { t } from '../../../i18n';
import { useGetStatsQuery } from '../../../state/queries/stats';
import { useGetTeamsQuery } from '../../../state/queries/tickets';
import { useTheme } from '../../../theme';
import { Card } from './Card';
import { BacklogChart, VolumeChart } from './Charts';
import { formatDuration, formatRate, formatScore, windowOf } from './format';

const RANGES = ['7', '30', '90', '366'] as const;
type Range = (typeof RANGES)[number];
const ALL = 'all';

/**
 * The admins' dashboard (`GET /admin/stats`): the figures of a window of days, narrowed to a
 * team or an agent, as numbers, two charts and a table per agent and per team. The server checks
 * the role; the definitions of every figure are in README "Analytics".
 */
export function DashboardScreen() {
  const { colors } = useTheme();
  const { width: screenWidth } = useWindowDimensions();
  const chartWidth = Math.max(200, Math.min(screenWidth, 720) - 80);
  const [range, setRange] = useState<Range>('30');
  const [team, setTeam] = useState<string>(ALL);
  const [agent, setAgent] = useState<string>(ALL);
  const window = useMemo(() => windowOf(Number(range)), [range]);
  const teamId = team === ALL ? undefined : Number(team);
  const agentId = agent === ALL ? undefined : Number(agent);
  const report = useGetStatsQuery({ ...window, team: teamId, agent: agentId });
  // The agent choices: everyone with tickets in the window (and team), whichever is picked.
  const choices = useGetStatsQuery({ ...window, team: teamId });
  const teams = useGetTeamsQuery();

  const data = report.data;
  return (
    <Screen testID="dashboard" scroll>
      <Title>{t('dashboard.title')}</Title>
      <Chips
        testID="dashboard-range"
        label={t('dashboard.range')}
        showLabel
        value={range}
        onChange={setRange}
        options={RANGES.map((r) => ({ value: r, label: t('dashboard.days', { n: r }) }))}
      />
      <Filter
        testID="dashboard-team"
        label={t('dashboard.team')}
        value={team}
        onChange={(v) => {
          setTeam(v);
          setAgent(ALL);
        }}
        choices={(teams.data ?? []).map((x) => ({ value: String(x.id), label: x.name }))}
      />
      <Filter
        testID="dashboard-agent"
        label={t('dashboard.agent')}
        value={agent}
        onChange={setAgent}
        choices={(choices.data?.agents ?? []).map((a) => ({
          value: String(a.agent.id),
          label: a.agent.display_name,
        }))}
      />
      {report.isError ? (
        <ErrorText testID="dashboard-error">{t('dashboard.loadFailed')}</ErrorText>
      ) : null}
      {!data ? (
        report.isLoading ? (
          <ActivityIndicator color={colors.primary} style={styles.loading} />
        ) : null
      ) : (
        <View testID="dashboard-report">
          <Muted>{t('dashboard.window', { from: data.from, to: data.to })}</Muted>
          <Tiles figures={data.totals} />
          <VolumeChart days={data.days} width={chartWidth} />
          <BacklogChart days={data.days} width={chartWidth} />
          <Breakdown
            testID="dashboard-agents"
            title={t('dashboard.byAgent')}
            rows={data.agents.map((a) => row(a.agent.id, a.agent.display_name, a.figures))}
          />
          <Breakdown
            testID="dashboard-teams"
            title={t('dashboard.byTeam')}
            rows={data.teams.map((x) => row(x.team.id, x.team.name, x.figures))}
          />
        </View>
      )}
    </Screen>
  );
}

/** A filter of the report by id: "All" first, then one chip per choice. */
function Filter({
  choices,
  ...chips
}: {
  testID: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  choices: { value: string; label: string }[];
}) {
  return (
    <Chips {...chips} showLabel options={[{ value: ALL, label: t('dashboard.all') }, ...choices]} />
  );
}

function Tile({
  label,
  value,
  detail,
  testID,
}: {
  label: string;
  value: string;
  detail?: string;
  testID: string;
}) {
  const { colors } = useTheme();
  return (
    <View
      testID={testID}
      style={[styles.tile, { backgroundColor: colors.surface, borderColor: colors.border }]}
    >
      <Text style={[styles.tileLabel, { color: colors.textMuted }]}>{label}</Text>
      <Text testID={`${testID}-value`} style={[styles.tileValue, { color: colors.text }]}>
        {value}
      </Text>
      {detail ? <Text style={{ color: colors.textMuted, fontSize: 12 }}>{detail}</Text> : null}
    </View>
  );
}

type TileProps = { label: string; testID: string };

/** A duration's median, with the median and 90th percentile under it. */
function DurationTile({
  duration: d,
  ...tile
}: TileProps & { duration: StatsFigures['resolution'] }) {
  const median = formatDuration(d.median_ms);
  return (
    <Tile
      {...tile}
      value={median}
      detail={t('dashboard.medianP90', { median, p90: formatDuration(d.p90_ms) })}
    />
  );
}

/** The share of tickets within an SLA target, with how many of how many under it. */
function ShareTile({
  share: s,
  ...tile
}: TileProps & { share: StatsFigures['sla']['resolution'] }) {
  return (
    <Tile
      {...tile}
      value={formatRate(s.rate)}
      detail={t('dashboard.ofTickets', { met: s.met, total: s.total })}
    />
  );
}

function Tiles({ figures: f }: { figures: StatsFigures }) {
  return (
    <View style={styles.tiles}>
      <Tile testID="stat-opened" label={t('dashboard.opened')} value={String(f.opened)} />
      <Tile testID="stat-closed" label={t('dashboard.closed')} value={String(f.closed)} />
      <Tile testID="stat-backlog" label={t('dashboard.backlog')} value={String(f.backlog)} />
      <DurationTile
        testID="stat-first-response"
        label={t('dashboard.firstResponse')}
        duration={f.first_response}
      />
      <DurationTile
        testID="stat-resolution"
        label={t('dashboard.resolution')}
        duration={f.resolution}
      />
      <ShareTile
        testID="stat-sla-first"
        label={t('dashboard.slaFirst')}
        share={f.sla.first_response}
      />
      <ShareTile
        testID="stat-sla-resolution"
        label={t('dashboard.slaResolution')}
        share={f.sla.resolution}
      />
      <Tile
        testID="stat-csat"
        label={t('dashboard.csat')}
        value={formatScore(f.csat.average)}
        detail={t('dashboard.ratings', { n: f.csat.count })}
      />
    </View>
  );
}

type Row = { key: number; name: string; figures: StatsFigures };
const row = (key: number, name: string, figures: StatsFigures): Row => ({ key, name, figures });

/** One line per agent or team: closed, median first response, SLA shares, CSAT. */
function Breakdown({ title, rows, testID }: { title: string; rows: Row[]; testID: string }) {
  const { colors } = useTheme();
  const cell = [styles.cell, { color: colors.text }];
  const head = [styles.cell, styles.headCell, { color: colors.textMuted }];
  return (
    <Card testID={testID}>
      <Text style={[styles.caption, { color: colors.text }]}>{title}</Text>
      <View style={styles.row}>
        <Text style={[head, styles.nameCell]}> </Text>
        <Text style={head}>{t('dashboard.closed')}</Text>
        <Text style={head}>{t('dashboard.firstResponse')}</Text>
        <Text style={head}>{t('dashboard.slaResolution')}</Text>
        <Text style={head}>{t('dashboard.csat')}</Text>
      </View>
      {rows.length === 0 ? <Muted>{t('dashboard.none')}</Muted> : null}
      {rows.map((r) => (
        <View
          key={r.key}
          style={[styles.row, { borderTopColor: colors.border }]}
          testID={`${testID}-${r.key}`}
        >
          <Text style={[cell, styles.nameCell]} numberOfLines={1}>
            {r.name}
          </Text>
          <Text style={cell}>{r.figures.closed}</Text>
          <Text style={cell}>{formatDuration(r.figures.first_response.median_ms)}</Text>
          <Text style={cell}>{formatRate(r.figures.sla.resolution.rate)}</Text>
          <Text style={cell}>{formatScore(r.figures.csat.average)}</Text>
        </View>
      ))}
    </Card>
  );
}

const styles = StyleSheet.create({
  loading: { marginTop: 24 },
  tiles: { flexDirection: 'row', flexWrap: 'wrap', gap: 8, marginVertical: 12 },
  tile: { borderWidth: 1, borderRadius: 10, padding: 10, minWidth: 140, flexGrow: 1 },
  tileLabel: { fontSize: 12 },
  tileValue: { fontSize: 22, fontWeight: '700', marginVertical: 2 },
  caption: { fontWeight: '600', marginBottom: 6 },
  row: {
    flexDirection: 'row',
    paddingVertical: 6,
    borderTopWidth: StyleSheet.hairlineWidth,
    borderTopColor: 'transparent',
  },
  cell: { flex: 1, fontSize: 13 },
  headCell: { fontSize: 11 },
  nameCell: { flex: 2 },
});
