/** What a keydown means as a shortcut, or null when it must be left alone. */
export function shortcutKey(e: {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
  isComposing?: boolean;
  defaultPrevented?: boolean;
  target?: EventTarget | null;
}): string | null {
  if (e.ctrlKey || e.metaKey || e.altKey || e.isComposing || e.defaultPrevented) return null;
  if (isTypingTarget(e.target)) return null;
  // Enter on a focused button, link or chip presses it; it is not "open the selected ticket".
  if (e.key === 'Enter' && isActivatable(e.target)) return null;
  return e.key;
}

/** Never while typing: text fields, text areas, selects and editable content keep their keys. */
export function isTypingTarget(target: EventTarget | null | undefined): boolean {
  const el = target as { tagName?: string; isContentEditable?: boolean } | null | undefined;
  if (!el || typeof el.tagName !== 'string') return false;
  const tag = el.tagName.toUpperCase();
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || !!el.isContentEditable;
}

function isActivatable(target: EventTarget | null | undefined): boolean {
  const el = target as { tagName?: string; getAttribute?: (n: string) => string | null } | null;
  if (!el || typeof el.tagName !== 'string') return false;
  const tag = el.tagName.toUpperCase();
  if (tag === 'BUTTON' || tag === 'A') return true;
  const role = el.getAttribute?.('role');
  return !!role && ['button', 'link', 'radio', 'checkbox', 'tab', 'menuitem'].includes(role);
}
