/** Web: Enter sends, Shift+Enter (or Enter while an input method composes) starts a new line. */
export function isSendKey(e: unknown): boolean {
  const ev = (e as { nativeEvent?: KeyboardEvent } | null)?.nativeEvent;
  return !!ev && ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing;
}
