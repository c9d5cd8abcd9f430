import { useEffect, useRef } from 'react';

import { shortcutKey } from './shortcutKey';

export type ShortcutMap = Partial<Record<string, () => void>>;

/**
 * Web: single-key shortcuts on the document while `enabled` (the screen is focused). Keys typed
 * in a field never trigger them.
 */
export function useShortcuts(map: ShortcutMap, enabled: boolean): void {
  const latest = useRef(map);
  useEffect(() => {
    latest.current = map;
  });
  useEffect(() => {
    if (!enabled || typeof document === 'undefined') return;
    const onKey = (e: KeyboardEvent) => {
      const key = shortcutKey(e);
      const run = key ? latest.current[key] : undefined;
      if (!run) return;
      e.preventDefault();
      run();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [enabled]);
}
