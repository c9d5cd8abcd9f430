import { Text } from 'react-native';

// Jest's stand-in for the chart library (used by every test without asking): its animations keep
// timers running past a test's end. Each chart prints the values it was given, so a test reads
// what would be drawn; the browser test (e2e/dashboard.spec.mjs) draws the real SVG.
type Props = { data: { value: number }[] };

export function BarChart({ data }: Props) {
  return <Text testID="bar-chart">{data.map((d) => d.value).join(',')}</Text>;
}

export function LineChart({ data }: Props) {
  return <Text testID="line-chart">{data.map((d) => d.value).join(',')}</Text>;
}
