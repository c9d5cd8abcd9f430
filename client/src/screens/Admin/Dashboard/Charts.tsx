import type { ReactNode } from 'react';
import { StyleSheet, Text, View } from 'react-native';
import { BarChart, LineChart } from 'react-native-gifted-charts';

import type { StatsReport } from '../../../api/types';
import { t } from '../../../i18n';
import { useTheme, type Theme } from '../../../theme';
import { Card } from './Card';
import { shortDay } from './format';

type Days = StatsReport['days'];

/** One axis label every `every` days, so a year of days stays readable. */
function labelEvery(n: number): number {
  return Math.max(1, Math.ceil(n / 8));
}

/** A chart in its card, captioned; the caption is also what assistive technology reads. */
function ChartCard({
  testID,
  title,
  children,
}: {
  testID: string;
  title: string;
  children: ReactNode;
}) {
  const { colors } = useTheme();
  return (
    <Card>
      <View testID={testID} accessibilityLabel={title}>
        <Text style={[styles.caption, { color: colors.text }]}>{title}</Text>
        {children}
      </View>
    </Card>
  );
}

/** What both charts share: four sections, the theme's rules and axes, no animation or scroll. */
function axes(colors: Theme['colors']) {
  const text = { color: colors.textMuted, fontSize: 10 };
  return {
    initialSpacing: 4,
    noOfSections: 4,
    rulesColor: colors.border,
    xAxisColor: colors.border,
    yAxisColor: colors.border,
    yAxisTextStyle: text,
    xAxisLabelTextStyle: text,
    isAnimated: false,
    disableScroll: true,
  };
}

/**
 * Opened and closed per day as pairs of bars (react-native-gifted-charts on react-native-svg:
 * the same SVG on Android and the web), in the theme's colours so it reads in dark mode.
 */
export function VolumeChart({ days, width }: { days: Days; width: number }) {
  const { colors } = useTheme();
  const every = labelEvery(days.length);
  const barWidth = Math.max(2, Math.min(14, Math.floor(width / Math.max(1, days.length) / 3)));
  const data = days.flatMap((d, i) => [
    {
      value: d.opened,
      label: i % every === 0 ? shortDay(d.date) : '',
      labelWidth: 40,
      frontColor: colors.primary,
      spacing: 1,
    },
    { value: d.closed, frontColor: colors.success, spacing: barWidth },
  ]);
  return (
    <ChartCard testID="chart-volume" title={t('dashboard.volumeChart')}>
      <Legend
        items={[
          [t('dashboard.opened'), colors.primary],
          [t('dashboard.closed'), colors.success],
        ]}
      />
      <BarChart data={data} width={width} height={160} barWidth={barWidth} {...axes(colors)} />
    </ChartCard>
  );
}

/** The backlog at the end of each day as a line. */
export function BacklogChart({ days, width }: { days: Days; width: number }) {
  const { colors } = useTheme();
  const every = labelEvery(days.length);
  const data = days.map((d, i) => ({
    value: d.backlog,
    label: i % every === 0 ? shortDay(d.date) : '',
    labelTextStyle: { color: colors.textMuted, fontSize: 10, width: 40 },
  }));
  return (
    <ChartCard testID="chart-backlog" title={t('dashboard.backlogChart')}>
      <LineChart
        data={data}
        width={width}
        height={140}
        spacing={Math.max(2, Math.floor(width / Math.max(1, days.length)))}
        color={colors.warning}
        thickness={2}
        hideDataPoints={days.length > 31}
        dataPointsColor={colors.warning}
        {...axes(colors)}
      />
    </ChartCard>
  );
}

function Legend({ items }: { items: [string, string][] }) {
  const { colors } = useTheme();
  return (
    <View style={styles.legend}>
      {items.map(([label, color]) => (
        <View key={label} style={styles.legendItem}>
          <View style={[styles.swatch, { backgroundColor: color }]} />
          <Text style={{ color: colors.textMuted, fontSize: 12 }}>{label}</Text>
        </View>
      ))}
    </View>
  );
}

const styles = StyleSheet.create({
  caption: { fontWeight: '600', marginBottom: 4 },
  legend: { flexDirection: 'row', gap: 12, marginBottom: 6 },
  legendItem: { flexDirection: 'row', alignItems: 'center', gap: 4 },
  swatch: { width: 10, height: 10, borderRadius: 2 },
});
