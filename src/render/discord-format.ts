/**
 * Discord's limits and how text is made to fit them: escaping user and document text, truncation,
 * fitting an embed into its budget, and the one-line description of a citation. Pure.
 */
import { escapeMarkdown } from 'discord.js';
import type { APIEmbed } from 'discord.js';
import type { Citation, InlineMark } from '../core/types.js';
import { collectionOf } from '../core/collections.js';

/** Discord's documented message limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits). */
export const DiscordLimits = {
  content: 2000,
  embedTitle: 256,
  embedDescription: 4096,
  embedFields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footerText: 2048,
  authorName: 256,
  /** Sum of title, description, field names and values, footer text and author name over all embeds of a message. */
  embedTotal: 6000,
  embedsPerMessage: 10,
  buttonsPerRow: 5,
  rowsPerMessage: 5,
  buttonLabel: 80,
  customId: 100,
  autocompleteChoices: 25,
  choiceName: 100,
  choiceValue: 100,
} as const;

/** Embed accent colours. */
export const Colors = { answer: 0x2b7a78, noAnswer: 0x9e9e9e, search: 0x3a6ea5, error: 0xc0392b } as const;

export const ELLIPSIS = '…';

/** Shorten to at most `max` characters (code units), ending with an ellipsis when cut. Never splits a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 0) return '';
  let cut = max - ELLIPSIS.length;
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  return `${text.slice(0, Math.max(0, cut)).trimEnd()}${ELLIPSIS}`;
}

/**
 * Escape everything that could change the layout of quoted text: markdown, headings, lists,
 * masked links, block quotes, and newlines (a quote is shown on one block-quote line).
 */
export function escapeQuote(text: string): string {
  const oneLine = text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
  const escaped = escapeMarkdown(oneLine, { heading: true, bulletedList: true, numberedList: true, maskedLink: true });
  // A leading '>' would start a nested block quote.
  return escaped.replace(/^>/, '\\>');
}

/**
 * A quote shortened to `max` characters and escaped as `escapeQuote` does, except where its source
 * had inline code or emphasis: code is shown as code (never escaped inside), emphasis as emphasis.
 */
export function quoteMarkdown(text: string, marks: readonly InlineMark[], max: number): string {
  const shown = truncate(text, max);
  if (marks.length === 0) return escapeQuote(shown);
  const visible = shown.endsWith(ELLIPSIS) && shown.length < text.length ? shown.length - ELLIPSIS.length : shown.length;
  const kindsAt = (offset: number) =>
    marks
      .filter((mark) => mark.start <= offset && offset < mark.end)
      .map((mark) => mark.kind)
      .sort()
      .join(',');
  const pieces: string[] = [];
  let start = 0;
  while (start < shown.length) {
    const kinds = start < visible ? kindsAt(start) : '';
    let end = start + 1;
    while (end < shown.length && (end < visible ? kindsAt(end) : '') === kinds) end++;
    pieces.push(formatRun(shown.slice(start, end), kinds.split(',').filter(Boolean)));
    start = end;
  }
  return pieces.join('').replace(/^>/, '\\>');
}

/** One run of a quote with the same marks: code in backticks (doubled when it holds one), emphasis around. */
function formatRun(run: string, kinds: readonly string[]): string {
  const oneLine = run.replace(/\s*[\r\n]+\s*/g, ' ');
  const inner = oneLine.trim();
  if (!inner || kinds.length === 0)
    return escapeMarkdown(oneLine, { heading: true, bulletedList: true, numberedList: true, maskedLink: true });
  const lead = oneLine.slice(0, oneLine.length - oneLine.trimStart().length);
  const trail = oneLine.slice(oneLine.trimEnd().length);
  let body = kinds.includes('code')
    ? inner.includes('`')
      ? `\`\` ${inner} \`\``
      : `\`${inner}\``
    : escapeMarkdown(inner, { heading: true, bulletedList: true, numberedList: true, maskedLink: true });
  if (kinds.includes('emphasis')) body = `_${body}_`;
  if (kinds.includes('strong')) body = `**${body}**`;
  return `${lead}${body}${trail}`;
}

/** Plain text shown in a title or footer, with markdown neutralised. */
export function escapeInline(text: string): string {
  return escapeMarkdown(text.replace(/\s+/g, ' ').trim(), { heading: true, bulletedList: true, numberedList: true, maskedLink: true });
}

/** Characters an embed counts toward the 6000 total. */
export function embedLength(embed: APIEmbed): number {
  return (
    (embed.title?.length ?? 0) +
    (embed.description?.length ?? 0) +
    (embed.footer?.text.length ?? 0) +
    (embed.author?.name.length ?? 0) +
    (embed.fields ?? []).reduce((sum, field) => sum + field.name.length + field.value.length, 0)
  );
}

/**
 * Enforce every per-embed limit: title, description, field count, field name/value, footer,
 * and the 6000 total (description shrinks first, then trailing fields are dropped).
 */
export function fitEmbed(embed: APIEmbed, totalBudget: number = DiscordLimits.embedTotal): APIEmbed {
  const fitted: APIEmbed = { ...embed };
  if (fitted.title !== undefined) fitted.title = truncate(fitted.title, DiscordLimits.embedTitle);
  if (fitted.description !== undefined) fitted.description = truncate(fitted.description, DiscordLimits.embedDescription);
  if (fitted.footer !== undefined) fitted.footer = { ...fitted.footer, text: truncate(fitted.footer.text, DiscordLimits.footerText) };
  if (fitted.author !== undefined) fitted.author = { ...fitted.author, name: truncate(fitted.author.name, DiscordLimits.authorName) };
  if (fitted.fields !== undefined) {
    fitted.fields = fitted.fields.slice(0, DiscordLimits.embedFields).map((field) => ({
      ...field,
      name: truncate(field.name, DiscordLimits.fieldName) || '\u200b',
      value: truncate(field.value, DiscordLimits.fieldValue) || '\u200b',
    }));
  }
  // Over the total: shorten the description (keeping its first 1000 characters), then drop trailing
  // fields (keeping one), then shorten what is left; the footer and title go last.
  const excess = () => embedLength(fitted) - totalBudget;
  const shortenDescription = (floor: number) => {
    if (excess() > 0 && fitted.description !== undefined && fitted.description.length > floor) {
      fitted.description = truncate(fitted.description, Math.max(floor, fitted.description.length - excess()));
    }
  };
  shortenDescription(Math.min(1000, fitted.description?.length ?? 0));
  while (excess() > 0 && fitted.fields !== undefined && fitted.fields.length > 1) fitted.fields = fitted.fields.slice(0, -1);
  shortenDescription(1);
  if (excess() > 0 && fitted.fields !== undefined) {
    fitted.fields = fitted.fields.map((field) => ({ ...field, value: truncate(field.value, Math.max(1, field.value.length - excess())) }));
  }
  if (excess() > 0 && fitted.footer !== undefined) {
    fitted.footer = { ...fitted.footer, text: truncate(fitted.footer.text, Math.max(1, fitted.footer.text.length - excess())) };
  }
  if (excess() > 0 && fitted.title !== undefined) {
    fitted.title = truncate(fitted.title, Math.max(1, fitted.title.length - excess()));
  }
  return fitted;
}

/** Message content within 2000 characters. */
export function fitContent(text: string): string {
  return truncate(text, DiscordLimits.content);
}

export function citationKey(citation: Citation): string {
  return `${citation.source}#${citation.paragraph}`;
}

/** `**Title** (date) — \`file\` › Section, ¶3` (`p. 3` for a PDF); a web page's title links to its address. */
export function describeCitation(citation: Citation, options: CollectionView = {}): string {
  const title = citation.url
    ? `**[${escapeInline(citation.title).replace(/[[\]]/g, '')}](<${citation.url}>)**`
    : `**${escapeInline(citation.title)}**`;
  const section = citation.section ? ` › ${escapeInline(citation.section)}` : '';
  return `${title}${describeWhere(citation, options)} — \`${citation.source.replace(/`/g, "'")}\`${section}, ${placeOf(citation)}`;
}

/** Where in a document: the page of a PDF, else the paragraph. */
export function placeOf(citation: Pick<Citation, 'page' | 'paragraph'>): string {
  return citation.page ? `p. ${citation.page}` : `¶${citation.paragraph}`;
}

/** Whether citations name their document's collection: when the corpus has more than one. */
export interface CollectionView {
  readonly showCollections?: boolean;
}

/** What follows a title in a citation: ` (collection, date)`, ` (date)`, ` (collection)` or nothing. */
export function describeWhere(cited: { readonly source: string; readonly date: string | null }, options: CollectionView = {}): string {
  const parts = [...(options.showCollections ? [collectionOf(cited.source)] : []), ...(cited.date === null ? [] : [cited.date])];
  return parts.length === 0 ? '' : ` (${parts.join(', ')})`;
}
