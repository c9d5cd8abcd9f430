/**
 * Keyboard shortcuts (j/k, Enter, r, n, a, s, /, ?). Native: phones have no keyboard shortcuts;
 * the hook does nothing. The web version is shortcuts.web.ts.
 */
export type ShortcutMap = Partial<Record<string, () => void>>;

export function useShortcuts(_map: ShortcutMap, _enabled: boolean, _exclusive = false): void {}
