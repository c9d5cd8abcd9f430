import { View } from 'react-native';

import type { MessageRowProps } from './MessageRow';

export type { MessageRowProps };

/** The web shows an actions button beside the message the pointer is on (and on focus). */
export const HOVER_ACTIONS = true;

/**
 * One message's row on the web: pointing at it shows its actions button, and the context menu
 * (right click) opens its actions, unless text is selected (then the browser's menu copies it).
 * No long press here: holding the mouse is how text gets selected.
 */
export function MessageRow({ style, onActions, onHoverChange, children }: MessageRowProps) {
  const web = {
    onContextMenu: (e: { preventDefault(): void }) => {
      if (!onActions || window.getSelection()?.toString()) return;
      e.preventDefault();
      onActions();
    },
  };
  return (
    <View
      style={style}
      onPointerEnter={() => onHoverChange?.(true)}
      onPointerLeave={() => onHoverChange?.(false)}
      {...web}
    >
      {children}
    </View>
  );
}
