import { forwardRef } from 'react';
import { StyleSheet, Text, TextInput, View, type TextInputProps } from 'react-native';

import { useTheme } from '../theme';

export interface TextFieldProps extends Omit<TextInputProps, 'accessibilityLabel' | 'testID'> {
  /** What the field holds; also its accessibility label ("Email", "Password", …). */
  label: string;
  testID: string;
  error?: string | null;
  hint?: string;
  hideLabel?: boolean;
}

export const TextField = forwardRef<TextInput, TextFieldProps>(function TextField(
  { label, testID, error, hint, hideLabel, style, ...rest },
  ref,
) {
  const { colors, radius } = useTheme();
  return (
    <View style={styles.wrap}>
      {hideLabel ? null : <Text style={[styles.label, { color: colors.textMuted }]}>{label}</Text>}
      <TextInput
        ref={ref}
        testID={testID}
        accessibilityLabel={label}
        placeholderTextColor={colors.textMuted}
        style={[
          styles.input,
          {
            color: colors.text,
            backgroundColor: colors.surface,
            borderColor: error ? colors.danger : colors.border,
            borderRadius: radius,
          },
          style,
        ]}
        {...rest}
      />
      {error ? (
        <Text testID={`${testID}-error`} style={[styles.help, { color: colors.danger }]}>
          {error}
        </Text>
      ) : hint ? (
        <Text style={[styles.help, { color: colors.textMuted }]}>{hint}</Text>
      ) : null}
    </View>
  );
});

const styles = StyleSheet.create({
  wrap: { marginBottom: 12 },
  label: { fontSize: 13, marginBottom: 4, fontWeight: '500' },
  input: { borderWidth: 1, paddingHorizontal: 12, paddingVertical: 10, fontSize: 15 },
  help: { fontSize: 12, marginTop: 4 },
});
