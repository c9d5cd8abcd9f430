import Ionicons from '@expo/vector-icons/Ionicons';
import type { ComponentProps } from 'react';

export type IconName = ComponentProps<typeof Ionicons>['name'];

/**
 * Every icon in the app, from one maintained set (Ionicons, bundled as a font on Android and the
 * web), so buttons and tabs render the same on devices without an emoji font. Decorative: the
 * control around it carries the accessibility label.
 */
export function Icon({
  name,
  size = 16,
  color,
  testID,
}: {
  name: IconName;
  size?: number;
  color?: string;
  testID?: string;
}) {
  return (
    <Ionicons
      name={name}
      size={size}
      color={color}
      testID={testID}
      accessibilityElementsHidden
      importantForAccessibility="no"
      aria-hidden
    />
  );
}
