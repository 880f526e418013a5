/** The web links of a message's text, as "Add linked article to sources" offers them. Pure. */

/** A URL in text: http(s), up to a blank or a character that cannot end one in chat (`<`, `>`, quotes). */
const LINK = /https?:\/\/[^\s<>"'`]+/giu;

/**
 * The distinct http(s) links of `text` and of `extra` (embed URLs), in order, at most `limit`.
 * Trailing sentence punctuation is left off, and a closing bracket that has no opening one in the
 * link (a link written in parentheses); `<…>` (Discord's "no preview" form) is read as the link inside.
 */
export function linksIn(text: string, extra: readonly (string | null | undefined)[] = [], limit = 25): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(LINK)) found.push(trimLink(match[0]));
  for (const url of extra) if (url) found.push(url);
  const links: string[] = [];
  for (const candidate of found) {
    let url: URL;
    try {
      url = new URL(candidate);
    } catch {
      continue;
    }
    if ((url.protocol === 'http:' || url.protocol === 'https:') && !links.includes(url.href)) links.push(url.href);
  }
  return links.slice(0, limit);
}

function trimLink(link: string): string {
  let trimmed = link.replace(/[.,;:!?*_~]+$/u, '');
  while (/[)\]]$/.test(trimmed)) {
    const close = trimmed.at(-1) === ')' ? ')' : ']';
    const open = close === ')' ? '(' : '[';
    if (trimmed.split(open).length >= trimmed.split(close).length) break;
    trimmed = trimmed.slice(0, -1).replace(/[.,;:!?]+$/u, '');
  }
  return trimmed;
}
