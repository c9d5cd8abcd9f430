import { useEffect, useRef } from 'react';

import { shortcutKey } from './shortcutKey';

export type ShortcutMap = Partial<Record<string, () => void>>;

/** Open layers that take the keyboard for themselves (a viewer over the screen). */
let exclusiveLayers = 0;

/**
 * Web: single-key shortcuts on the document while `enabled` (the screen is focused). Keys typed
 * in a field never trigger them. While an `exclusive` layer is open (the image viewer), only
 * exclusive layers hear keys: `j` or `a` must not act on the queue behind it.
 */
export function useShortcuts(map: ShortcutMap, enabled: boolean, exclusive = false): void {
  const latest = useRef(map);
  useEffect(() => {
    latest.current = map;
  });
  useEffect(() => {
    if (!enabled || typeof document === 'undefined') return;
    if (exclusive) exclusiveLayers += 1;
    const onKey = (e: KeyboardEvent) => {
      if (!exclusive && exclusiveLayers > 0) return;
      const key = shortcutKey(e);
      const run = key ? latest.current[key] : undefined;
      if (!run) return;
      e.preventDefault();
      run();
    };
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      if (exclusive) exclusiveLayers -= 1;
    };
  }, [enabled, exclusive]);
}
