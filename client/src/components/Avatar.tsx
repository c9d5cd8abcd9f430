import { useState } from 'react';
import { StyleSheet, Text, View } from 'react-native';

import { useTheme } from '../theme';
import { AuthImage } from './AuthImage';

interface Props {
  name: string;
  url?: string | null;
  size?: number;
  online?: boolean | null;
  testID?: string;
  /** Bumped after an avatar upload to refetch. */
  version?: number;
}

const palette = ['#5b8def', '#e57373', '#4db6ac', '#ffb74d', '#9575cd', '#81c784', '#f06292'];

export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  return (
    (parts[0]?.[0] ?? '?') + (parts.length > 1 ? parts[parts.length - 1][0] : '')
  ).toUpperCase();
}

export function Avatar({ name, url, size = 40, online, testID, version }: Props) {
  const { colors } = useTheme();
  const [failed, setFailed] = useState(false);
  const color = palette[[...name].reduce((a, c) => a + c.charCodeAt(0), 0) % palette.length];
  // The contract's sizes: 64 px for lists, 256 px for the profile.
  const path = url
    ? url + (url.includes('?') ? '&' : '?') + 'size=' + (size > 64 ? 256 : 64)
    : null;
  return (
    <View testID={testID} style={{ width: size, height: size }}>
      <View
        style={[
          styles.circle,
          { width: size, height: size, borderRadius: size / 2, backgroundColor: color },
        ]}
      >
        <Text style={[styles.initials, { fontSize: size * 0.38 }]}>{initials(name)}</Text>
        {path && !failed ? (
          <AuthImage
            path={path}
            version={version}
            accessibilityLabel={name}
            style={[StyleSheet.absoluteFill, { borderRadius: size / 2 }]}
            onError={() => setFailed(true)}
          />
        ) : null}
      </View>
      {online != null ? (
        <View
          style={[
            styles.dot,
            {
              backgroundColor: online ? colors.success : colors.textMuted,
              borderColor: colors.surface,
              width: size * 0.3,
              height: size * 0.3,
              borderRadius: size * 0.15,
            },
          ]}
        />
      ) : null}
    </View>
  );
}

const styles = StyleSheet.create({
  circle: { alignItems: 'center', justifyContent: 'center', overflow: 'hidden' },
  initials: { color: '#fff', fontWeight: '700' },
  dot: { position: 'absolute', right: 0, bottom: 0, borderWidth: 2 },
});
