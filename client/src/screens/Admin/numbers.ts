/**
 * Number fields of the admin forms: what is typed, as the API wants it. Empty is `null` where
 * the setting may be off; anything that is not a whole number is sent as typed (`NaN` → the
 * server's field error says what is wrong), never silently changed.
 */
export function parseMinutes(text: string): number | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  return /^-?\d+$/.test(trimmed) ? Number(trimmed) : Number.NaN;
}

export function showMinutes(value: number | null | undefined): string {
  return value == null ? '' : String(value);
}
