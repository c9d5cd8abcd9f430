import type { ReactNode } from 'react';
import { Pressable, type StyleProp, type ViewStyle } from 'react-native';

export interface MessageRowProps {
  style: StyleProp<ViewStyle>;
  /** Opens the message's actions. */
  onActions?: () => void;
  /** The pointer is over the message (web only: it shows the actions button). */
  onHoverChange?: (hovered: boolean) => void;
  children: ReactNode;
}

/** Phones have no pointer: the message's actions button is not shown; a long press opens them. */
export const HOVER_ACTIONS = false;

/** One message's row. Android: a long press opens its actions (links and files still take taps). */
export function MessageRow({ style, onActions, children }: MessageRowProps) {
  return (
    <Pressable
      style={style}
      onLongPress={onActions}
      delayLongPress={400}
      disabled={!onActions}
      accessible={false}
    >
      {children}
    </Pressable>
  );
}
