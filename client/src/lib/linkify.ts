/** A piece of a message body: plain text, or a web link. */
export type Segment = { kind: 'text'; text: string } | { kind: 'link'; text: string; url: string };

// http(s) only: a body can never produce a javascript:, data: or file: link.
const URL_RE = /\bhttps?:\/\/[^\s<>"']+/gi;
// Punctuation that ends a sentence rather than the address ("see https://x.org/a.").
const TRAILING = /[.,;:!?)\]}'"]+$/;

/** Splits plain text into text and link segments. Never interprets HTML: text stays text. */
export function linkify(body: string): Segment[] {
  const out: Segment[] = [];
  let last = 0;
  for (const match of body.matchAll(URL_RE)) {
    let url = match[0];
    const trail = url.match(TRAILING)?.[0] ?? '';
    // Keep a closing parenthesis that belongs to the address (".../Foo_(bar)").
    const keep = trail.startsWith(')') && url.includes('(') ? 1 : 0;
    url = url.slice(0, url.length - trail.length + keep);
    const start = match.index ?? 0;
    if (start > last) out.push({ kind: 'text', text: body.slice(last, start) });
    out.push({ kind: 'link', text: url, url });
    last = start + url.length;
  }
  if (last < body.length) out.push({ kind: 'text', text: body.slice(last) });
  return out;
}
