import type { PickerKey } from './composerKeys';

export type { PickerKey };

function keyboardEvent(e: unknown): KeyboardEvent | null {
  return (e as { nativeEvent?: KeyboardEvent } | null)?.nativeEvent ?? null;
}

/** Web: Enter sends, Shift+Enter (or Enter while an input method composes) starts a new line. */
export function isSendKey(e: unknown): boolean {
  const ev = keyboardEvent(e);
  return !!ev && ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing;
}

/** Web: up/down move through the type-ahead list, Enter or Tab inserts, Esc closes it. */
export function pickerKey(e: unknown): PickerKey | null {
  const ev = keyboardEvent(e);
  if (!ev || ev.isComposing || ev.altKey || ev.ctrlKey || ev.metaKey) return null;
  switch (ev.key) {
    case 'ArrowDown':
      return 'next';
    case 'ArrowUp':
      return 'previous';
    case 'Enter':
    case 'Tab':
      return ev.shiftKey ? null : 'pick';
    case 'Escape':
      return 'close';
    default:
      return null;
  }
}
