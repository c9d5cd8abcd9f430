import type { ReactNode } from 'react';
import { ScrollView, StyleSheet, Text, View, type ViewStyle } from 'react-native';

import { useTheme } from '../theme';

/** A screen's page: background, optional scrolling, and a readable max width on wide screens. */
export function Screen({
  children,
  scroll,
  testID,
  style,
}: {
  children: ReactNode;
  scroll?: boolean;
  testID: string;
  style?: ViewStyle;
}) {
  const { colors } = useTheme();
  const inner = <View style={[styles.inner, style]}>{children}</View>;
  return (
    <View testID={testID} style={[styles.page, { backgroundColor: colors.background }]}>
      {scroll ? (
        <ScrollView contentContainerStyle={styles.scroll} keyboardShouldPersistTaps="handled">
          {inner}
        </ScrollView>
      ) : (
        inner
      )}
    </View>
  );
}

export function Title({ children, testID }: { children: ReactNode; testID?: string }) {
  const { colors } = useTheme();
  return (
    <Text testID={testID} accessibilityRole="header" style={[styles.title, { color: colors.text }]}>
      {children}
    </Text>
  );
}

export function Muted({ children, testID }: { children: ReactNode; testID?: string }) {
  const { colors } = useTheme();
  return (
    <Text testID={testID} style={{ color: colors.textMuted, marginVertical: 8 }}>
      {children}
    </Text>
  );
}

export function ErrorText({ children, testID }: { children: ReactNode; testID?: string }) {
  const { colors } = useTheme();
  if (!children) return null;
  return (
    <Text
      testID={testID}
      accessibilityRole="alert"
      style={{ color: colors.danger, marginVertical: 8 }}
    >
      {children}
    </Text>
  );
}

const styles = StyleSheet.create({
  page: { flex: 1 },
  scroll: { flexGrow: 1 },
  inner: { flex: 1, width: '100%', maxWidth: 900, alignSelf: 'center', padding: 16 },
  title: { fontSize: 22, fontWeight: '700', marginBottom: 16 },
});
