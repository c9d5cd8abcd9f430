/** Native: the return key of a multi-line field inserts a new line; the Send button sends. */
export function isSendKey(_e: unknown): boolean {
  return false;
}
