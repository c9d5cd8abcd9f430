import { Pressable, ScrollView, StyleSheet, Text, View } from 'react-native';

import { useTheme } from '../theme';

export interface ChipOption<T extends string> {
  value: T;
  label: string;
}

interface Props<T extends string> {
  options: ChipOption<T>[];
  value: T | null;
  onChange: (v: T) => void;
  testID: string;
  /** Names the group for screen readers ("Status", "Priority"). */
  label: string;
  disabled?: boolean;
  /** Shows the group's name above the chips (forms), not only to screen readers. */
  showLabel?: boolean;
  /** Gets the selected chip (or the first), so a keyboard shortcut can move the focus there. */
  focusRef?: React.Ref<View>;
}

/** A row of choices, one selected: tabs, filters and ticket controls. */
export function Chips<T extends string>({
  options,
  value,
  onChange,
  testID,
  label,
  disabled,
  showLabel,
  focusRef,
}: Props<T>) {
  const { colors } = useTheme();
  const chips = (
    <ScrollView
      horizontal
      showsHorizontalScrollIndicator={false}
      testID={testID}
      accessibilityLabel={label}
      accessibilityRole="radiogroup"
      // A scroll view grows by default: in a column it would stretch the chips to its height.
      style={styles.scroller}
      contentContainerStyle={styles.row}
    >
      {options.map((o, i) => {
        const selected = o.value === value;
        const focusTarget =
          value == null || !options.some((x) => x.value === value) ? i === 0 : selected;
        return (
          <Pressable
            key={o.value}
            ref={focusTarget ? focusRef : undefined}
            testID={`${testID}-${o.value}`}
            accessibilityRole="radio"
            accessibilityLabel={`${label}: ${o.label}`}
            // Native reads accessibilityState; the web needs the aria attribute itself.
            accessibilityState={{ selected, checked: selected, disabled: !!disabled }}
            aria-checked={selected}
            disabled={disabled}
            onPress={() => onChange(o.value)}
            style={[
              styles.chip,
              {
                backgroundColor: selected ? colors.primary : colors.surface,
                borderColor: selected ? colors.primary : colors.border,
                opacity: disabled ? 0.5 : 1,
              },
            ]}
          >
            <Text style={{ color: selected ? colors.onPrimary : colors.text, fontWeight: '500' }}>
              {o.label}
            </Text>
          </Pressable>
        );
      })}
    </ScrollView>
  );
  if (!showLabel) return chips;
  return (
    <View style={styles.group}>
      <Text testID={`${testID}-label`} style={[styles.label, { color: colors.textMuted }]}>
        {label}
      </Text>
      {chips}
    </View>
  );
}

const styles = StyleSheet.create({
  scroller: { flexGrow: 0 },
  row: { paddingVertical: 4, gap: 8, flexDirection: 'row', alignItems: 'center' },
  group: { marginBottom: 12 },
  label: { fontSize: 13, marginBottom: 4, fontWeight: '500' },
  chip: { borderWidth: 1, borderRadius: 999, paddingHorizontal: 12, paddingVertical: 6 },
});
