/** Native: the return key of a multi-line field inserts a new line; the Send button sends. */
export function isSendKey(_e: unknown): boolean {
  return false;
}

/** What a key does in the composer's type-ahead list. */
export type PickerKey = 'next' | 'previous' | 'pick' | 'close';

/** Native: the list is tapped (soft keyboards have no arrows). */
export function pickerKey(_e: unknown): PickerKey | null {
  return null;
}
