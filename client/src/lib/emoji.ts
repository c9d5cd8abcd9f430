/**
 * The server keeps an emoji without its trailing variation selector (U+FE0F), so "❤️" and "❤"
 * are one reaction and it answers "❤". Compare through `emojiKey`; show through `displayEmoji`,
 * which asks for the colour form again for the single BMP characters that default to text
 * (❤ ☺ ✌ …), where the selector matters for how it looks.
 */
export function emojiKey(e: string): string {
  return e.replace(/\uFE0F$/, '');
}

export function displayEmoji(e: string): string {
  const points = Array.from(e);
  return points.length === 1 && (points[0].codePointAt(0) ?? 0) < 0x1f000 ? `${e}\uFE0F` : e;
}
