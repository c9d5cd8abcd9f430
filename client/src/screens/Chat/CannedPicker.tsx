import { Pressable, StyleSheet, Text, View } from 'react-native';

import type { CannedResponse } from '../../api/types';
import { t } from '../../i18n';
import { useTheme } from '../../theme';

interface Props {
  /** What was typed after `/`. */
  query: string;
  matches: CannedResponse[];
  /** Index of the highlighted response (up/down on the web). */
  active: number;
  loading: boolean;
  busy: boolean;
  error: string | null;
  onPick: (c: CannedResponse) => void;
  testID: string;
}

/** The type-ahead list the composer opens on `/` (staff only). */
export function CannedPicker({
  query,
  matches,
  active,
  loading,
  busy,
  error,
  onPick,
  testID,
}: Props) {
  const { colors, radius } = useTheme();
  const status = error
    ? error
    : loading
      ? t('common.loading')
      : busy
        ? t('canned.inserting')
        : matches.length === 0
          ? t('canned.noMatch', { query })
          : null;
  return (
    <View
      testID={testID}
      role="menu"
      accessibilityLabel={t('canned.pickerLabel')}
      style={[
        styles.wrap,
        { borderColor: colors.border, backgroundColor: colors.surface, borderRadius: radius },
      ]}
    >
      {status ? (
        <Text
          testID={`${testID}-status`}
          accessibilityLiveRegion="polite"
          style={[styles.status, { color: error ? colors.danger : colors.textMuted }]}
        >
          {status}
        </Text>
      ) : null}
      {matches.map((c, i) => {
        const selected = i === active;
        return (
          <Pressable
            key={c.id}
            testID={`${testID}-${c.id}`}
            role="menuitem"
            accessibilityLabel={t('canned.pick', { title: c.title, shortcut: c.shortcut })}
            accessibilityState={{ selected, disabled: busy }}
            aria-selected={selected}
            disabled={busy}
            onPress={() => onPick(c)}
            style={[styles.item, selected && { backgroundColor: colors.surfaceAlt }]}
          >
            <Text style={{ color: colors.text }} numberOfLines={1}>
              <Text style={[styles.shortcut, { color: colors.primary }]}>/{c.shortcut}</Text>{' '}
              {c.title}
              {c.shared ? (
                <Text style={{ color: colors.textMuted }}> · {t('canned.shared')}</Text>
              ) : null}
            </Text>
            <Text style={{ color: colors.textMuted, fontSize: 12 }} numberOfLines={1}>
              {c.body}
            </Text>
          </Pressable>
        );
      })}
    </View>
  );
}

const styles = StyleSheet.create({
  wrap: { borderWidth: 1, marginBottom: 6, paddingVertical: 4, maxHeight: 280, overflow: 'hidden' },
  status: { paddingHorizontal: 12, paddingVertical: 6, fontSize: 13 },
  item: { paddingHorizontal: 12, paddingVertical: 6 },
  shortcut: { fontWeight: '700' },
});
