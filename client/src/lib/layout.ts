/** Native: the phone layout (one screen at a time). The web decides by width: layout.web.ts. */
export function useWideLayout(): boolean {
  return false;
}
