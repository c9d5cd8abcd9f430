import { Pressable, StyleSheet, Text, View } from 'react-native';

import { t, type StringKey } from '../i18n';
import { useTheme } from '../theme';

const SHORTCUTS: [string, StringKey][] = [
  ['j / k', 'shortcuts.move'],
  ['Enter', 'shortcuts.open'],
  ['r', 'shortcuts.reply'],
  ['n', 'shortcuts.note'],
  ['a', 'shortcuts.assign'],
  ['s', 'shortcuts.status'],
  ['/', 'shortcuts.search'],
  ['?', 'shortcuts.help'],
];

/** The list of keyboard shortcuts (web), opened with `?`. */
export function ShortcutsHelp({ onClose }: { onClose: () => void }) {
  const { colors, radius } = useTheme();
  return (
    <View style={styles.backdrop} testID="shortcuts-help">
      <View
        accessibilityRole="summary"
        accessibilityLabel={t('shortcuts.title')}
        style={[
          styles.card,
          { backgroundColor: colors.surface, borderColor: colors.border, borderRadius: radius },
        ]}
      >
        <Text accessibilityRole="header" style={[styles.title, { color: colors.text }]}>
          {t('shortcuts.title')}
        </Text>
        {SHORTCUTS.map(([keys, what]) => (
          <View key={keys} style={styles.row}>
            <Text style={[styles.keys, { color: colors.text, borderColor: colors.border }]}>
              {keys}
            </Text>
            <Text style={{ color: colors.textMuted, flex: 1 }}>{t(what)}</Text>
          </View>
        ))}
        <Text style={{ color: colors.textMuted, marginTop: 8, fontSize: 12 }}>
          {t('shortcuts.notInFields')}
        </Text>
        <Pressable
          testID="shortcuts-help-close"
          accessibilityRole="button"
          accessibilityLabel={t('common.close')}
          onPress={onClose}
          style={styles.close}
        >
          <Text style={{ color: colors.primary, fontWeight: '600' }}>{t('common.close')}</Text>
        </Pressable>
      </View>
    </View>
  );
}

const styles = StyleSheet.create({
  backdrop: {
    position: 'absolute',
    top: 0,
    left: 0,
    right: 0,
    bottom: 0,
    alignItems: 'center',
    justifyContent: 'center',
    backgroundColor: 'rgba(0,0,0,0.35)',
  },
  card: { borderWidth: 1, padding: 16, width: 340, maxWidth: '90%' },
  title: { fontSize: 17, fontWeight: '700', marginBottom: 8 },
  row: { flexDirection: 'row', alignItems: 'center', gap: 12, marginVertical: 3 },
  keys: {
    minWidth: 64,
    borderWidth: 1,
    borderRadius: 4,
    paddingHorizontal: 6,
    paddingVertical: 2,
    fontFamily: 'monospace',
    textAlign: 'center',
  },
  close: { alignSelf: 'flex-end', marginTop: 8, padding: 4 },
});
