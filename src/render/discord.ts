/**
 * Pure rendering of engine values into Discord message JSON (embeds and button rows).
 * No network, no clock, no Discord client: every input is a plain value, and every output is
 * guaranteed to fit Discord's limits (see {@link DiscordLimits}) whatever the input length.
 */
import { ButtonStyle, ComponentType, escapeMarkdown } from 'discord.js';
import type { APIActionRowComponent, APIButtonComponent, APIEmbed, APIEmbedField } from 'discord.js';
import type { Answer, Citation, DocumentSummary, IngestReport, Passage, Timeline, TimelineEntry } from '../core/types.js';
import { askInWordsReply, NOT_IN_SOURCES, smallTalkReply } from './text.js';

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

/** How many passages one page of `/search` or "Passages" shows. */
export const PASSAGES_PER_PAGE = 3;
/** The longest excerpt of one passage shown on a page. */
const PASSAGE_EXCERPT_CHARS = 900;
const ELLIPSIS = '…';

export type ButtonRow = APIActionRowComponent<APIButtonComponent>;

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

/**
 * Message content addressed to one user: their mention, then the text. Only a user id (digits)
 * is accepted, so nothing else can be mentioned; the message must ping that user alone.
 */
export function addressed(userId: string, text: string): string {
  if (!/^\d{1,20}$/.test(userId)) throw new RangeError('a Discord user id is digits only');
  return fitContent(`<@${userId}>, ${text}`);
}

/** "3 minutes ago" style age of the index, from two instants (the caller owns the clock). */
export function describeAge(builtAt: string, now: Date): string {
  const built = Date.parse(builtAt);
  if (Number.isNaN(built)) return 'unknown';
  const seconds = Math.max(0, Math.round((now.getTime() - built) / 1000));
  const units: [number, string][] = [
    [86_400, 'day'],
    [3_600, 'hour'],
    [60, 'minute'],
  ];
  for (const [size, name] of units) {
    if (seconds >= size) {
      const count = Math.floor(seconds / size);
      return `${count} ${name}${count === 1 ? '' : 's'} ago`;
    }
  }
  return 'just now';
}

function citationKey(citation: Citation): string {
  return `${citation.source}#${citation.paragraph}`;
}

function describeCitation(citation: Citation): string {
  const date = citation.date === null ? '' : ` (${citation.date})`;
  return `**${escapeInline(citation.title)}**${date} — \`${citation.source.replace(/`/g, "'")}\`, ¶${citation.paragraph}`;
}

/** Pack lines into field values of at most 1024 characters, never splitting a line (over-long lines are shortened). */
function packLines(lines: readonly string[], limit: number = DiscordLimits.fieldValue): string[] {
  const values: string[] = [];
  let current = '';
  for (const raw of lines) {
    const line = truncate(raw, limit);
    if (current.length > 0 && current.length + 1 + line.length > limit) {
      values.push(current);
      current = '';
    }
    current = current.length === 0 ? line : `${current}\n${line}`;
  }
  if (current.length > 0) values.push(current);
  return values;
}

/** At most this many "Sources" fields (1024 characters each) under an answer; the quotes come first. */
const MAX_SOURCE_FIELDS = 2;

function sourceFields(title: string, lines: readonly string[], maxFields: number): APIEmbedField[] {
  const values = packLines(lines);
  const kept = values.slice(0, maxFields);
  if (values.length > maxFields && kept.length > 0) {
    const shown = kept.join('\n').split('\n').length;
    const more = `\n… and ${lines.length - shown} more`;
    const last = kept[kept.length - 1] ?? '';
    kept[kept.length - 1] = `${truncate(last, DiscordLimits.fieldValue - more.length)}${more}`;
  }
  return kept.map((value, index) => ({ name: index === 0 ? title : `${title} (continued)`, value }));
}

export interface AnswerView {
  /** When the index in use was built (ISO). */
  readonly builtAt: string;
  /** The moment of rendering, for the index age. */
  readonly now: Date;
}

/**
 * The answer as one embed: each quote as a block quote ending with its `[n]` markers, a Sources
 * section listing every numbered citation, and a footer with the index age and agreement count.
 * An unanswered question shows the honest "no quote found" line and the closest passages.
 */
export function renderAnswer(answer: Answer, view: AnswerView): APIEmbed {
  const title = answer.question.trim().length === 0 ? 'Question' : escapeInline(answer.question);
  // A follow-up shows how it was read, so a wrong reading is visible.
  const readAs = answer.readAs === undefined ? [] : [`Read as: *${escapeInline(truncate(answer.readAs, 300))}*`, ''];
  const age = `Index built ${describeAge(view.builtAt, view.now)}`;
  if (!answer.answered || answer.quotes.length === 0) {
    const closest = answer.passages.slice(0, 3);
    const lines =
      answer.abstainReason === 'empty-question'
        ? [escapeInline(askInWordsReply(answer.example))]
        : answer.abstainReason === 'small-talk'
          ? [escapeInline(smallTalkReply(answer.example))]
          : ['I could not find a passage in the documents that answers this, so I will not guess.'];
    lines.unshift(...readAs);
    if (closest.length > 0) {
      lines.push('', 'Closest passages (they may not answer the question):');
      closest.forEach((passage, index) => {
        lines.push(`> ${escapeQuote(truncate(passage.text, 600))} [${index + 1}]`);
      });
    }
    return fitEmbed({
      title,
      description: lines.join('\n'),
      color: Colors.noAnswer,
      fields: sourceFields(
        'Sources',
        closest.map((passage, index) => `[${index + 1}] ${describeCitation(passage)}`),
        3,
      ),
      footer: { text: `${age} · no answer found` },
    });
  }

  const numbers = new Map<string, number>();
  const cited: Citation[] = [];
  const numberOf = (citation: Citation): number => {
    const key = citationKey(citation);
    let number = numbers.get(key);
    if (number === undefined) {
      number = numbers.size + 1;
      numbers.set(key, number);
      cited.push(citation);
    }
    return number;
  };
  const quoteBudget = Math.floor(3600 / Math.max(1, answer.quotes.length));
  const blocks = answer.quotes.map((quote) => {
    const markers = [quote, ...quote.alsoIn].map((citation) => `[${numberOf(citation)}]`);
    const uniqueMarkers = [...new Set(markers)].join('');
    const lines = [`> ${escapeQuote(truncate(quote.text, quoteBudget))} ${uniqueMarkers}`];
    // Sources that answer with a different figure or date are shown, quoted and cited, never hidden.
    for (const conflict of quote.conflicts ?? []) {
      lines.push(`Another source differs:\n> ${escapeQuote(truncate(conflict.text, Math.floor(quoteBudget / 2)))} [${numberOf(conflict)}]`);
    }
    return lines.join('\n');
  });
  const agreeing = new Set(answer.quotes.flatMap((quote) => [quote.source, ...quote.alsoIn.map((citation) => citation.source)]));
  const differing = new Set(answer.quotes.flatMap((quote) => (quote.conflicts ?? []).map((conflict) => conflict.source)));
  const agreement =
    (agreeing.size === 1 ? '1 source' : `${agreeing.size} sources agree`) +
    (differing.size === 0 ? '' : ` · ${differing.size} differ${differing.size === 1 ? 's' : ''}`);
  return fitEmbed({
    title,
    description: [...readAs, blocks.join('\n\n')].join('\n'),
    color: Colors.answer,
    fields: sourceFields(
      'Sources',
      cited.map((citation, index) => `[${index + 1}] ${describeCitation(citation)}`),
      MAX_SOURCE_FIELDS,
    ),
    footer: { text: `${age} · ${agreement}` },
  });
}

export interface PageView {
  /** 0-based page to show; clamped into range. */
  readonly page: number;
  readonly heading: string;
  readonly showScores: boolean;
}

/** How many pages a list of passages takes. */
export function pageCount(passages: readonly unknown[]): number {
  return Math.max(1, Math.ceil(passages.length / PASSAGES_PER_PAGE));
}

/** Clamp a page number into range. */
export function clampPage(page: number, total: number): number {
  return Math.min(Math.max(0, Math.trunc(page)), Math.max(0, total - 1));
}

/** One page of passages (for `/search`, the "Passages" button and "Find sources"). */
export function renderPassagePage(passages: readonly Passage[], view: PageView): APIEmbed {
  const pages = pageCount(passages);
  const page = clampPage(view.page, pages);
  const shown = passages.slice(page * PASSAGES_PER_PAGE, (page + 1) * PASSAGES_PER_PAGE);
  const fields: APIEmbedField[] = shown.map((passage, index) => {
    const rank = page * PASSAGES_PER_PAGE + index + 1;
    const score = view.showScores ? ` · score ${passage.score.toFixed(3)}` : '';
    return {
      name: truncate(
        `${rank}. ${passage.title.replace(/\s+/g, ' ')}${passage.date === null ? '' : ` (${passage.date})`}`,
        DiscordLimits.fieldName,
      ),
      value: truncate(
        `> ${escapeQuote(truncate(passage.text, PASSAGE_EXCERPT_CHARS))}\n\`${passage.source.replace(/`/g, "'")}\`, ¶${passage.paragraph}${score}`,
        DiscordLimits.fieldValue,
      ),
    };
  });
  return fitEmbed({
    title: escapeInline(view.heading) || 'Passages',
    description: passages.length === 0 ? 'No passages matched.' : `${passages.length} passage${passages.length === 1 ? '' : 's'}`,
    color: Colors.search,
    fields,
    footer: { text: `Page ${page + 1} of ${pages}` },
  });
}

/** The longest quote of one timeline entry shown on a page. */
const TIMELINE_QUOTE_CHARS = 800;

/** How many pages a timeline takes: its dated entries, then its undated ones, `PASSAGES_PER_PAGE` to a page. */
export function timelinePageCount(timeline: Timeline): number {
  return pageCount([...timeline.dated, ...timeline.undated]);
}

/**
 * One page of a topic's timeline (`/timeline`): each source's sentence on it, quoted and cited as
 * in answers, the dated ones oldest first, then the undated ones, apart. With no dated source it
 * says so; with no source at all, that the sources don't say.
 */
export function renderTimelinePage(timeline: Timeline, view: { readonly page: number }): APIEmbed {
  const title = `Timeline: ${escapeInline(timeline.topic)}`;
  const entries: readonly TimelineEntry[] = [...timeline.dated, ...timeline.undated];
  if (entries.length === 0) {
    const reply =
      timeline.abstainReason === 'empty-question'
        ? escapeInline(askInWordsReply(timeline.example))
        : timeline.abstainReason === 'small-talk'
          ? escapeInline(smallTalkReply(timeline.example))
          : `${NOT_IN_SOURCES} I found no passage in the documents on this, so there is no timeline to show.`;
    return fitEmbed({ title, description: reply, color: Colors.noAnswer, footer: { text: 'no sources found' } });
  }
  const { dated, undated } = timeline;
  const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
  const description =
    dated.length === 0
      ? `No dated sources on this. ${plural(undated.length, 'undated source')} cannot be placed in time:`
      : `${plural(dated.length, 'dated source')}, oldest first${undated.length ? `; ${plural(undated.length, 'undated source')} listed apart, after them` : ''}.`;
  const pages = pageCount(entries);
  const page = clampPage(view.page, pages);
  const fields = entries.slice(page * PASSAGES_PER_PAGE, (page + 1) * PASSAGES_PER_PAGE).map((entry, index): APIEmbedField => {
    const rank = page * PASSAGES_PER_PAGE + index + 1;
    return {
      name: entry.date === null ? `${rank}. Undated` : `${rank}. ${entry.date}`,
      value: `> ${escapeQuote(truncate(entry.text, TIMELINE_QUOTE_CHARS))}\n${describeCitation(entry)}`,
    };
  });
  return fitEmbed({ title, description, color: Colors.answer, fields, footer: { text: `Page ${page + 1} of ${pages} · oldest first` } });
}

/** One document's title, date, size and opening paragraph (`/source`). */
export function renderDocument(document: DocumentSummary): APIEmbed {
  return fitEmbed({
    title: escapeInline(document.title) || document.file,
    description: `> ${escapeQuote(truncate(document.opening, 3000))}`,
    color: Colors.search,
    fields: [
      { name: 'Date', value: document.date ?? 'unknown', inline: true },
      { name: 'File', value: `\`${document.file.replace(/`/g, "'")}\``, inline: true },
      { name: 'Size', value: `${document.characters.toLocaleString('en-US')} characters, ${document.paragraphs} paragraphs`, inline: true },
    ],
  });
}

/** Every indexed document, in the order given (the engine lists newest first). */
export function renderDocumentList(documents: readonly DocumentSummary[]): APIEmbed {
  const lines = documents.map(
    (document, index) =>
      `${index + 1}. **${escapeInline(truncate(document.title, 200))}** — ${document.date ?? 'undated'} · \`${document.file.replace(/`/g, "'")}\``,
  );
  let description = lines.length === 0 ? 'No documents are indexed yet.' : '';
  for (const [index, line] of lines.entries()) {
    const more = `\n… and ${lines.length - index} more`;
    if (description.length + line.length + 1 + more.length > DiscordLimits.embedDescription) {
      description += more;
      break;
    }
    description = description.length === 0 ? line : `${description}\n${line}`;
  }
  return fitEmbed({
    title: `Indexed documents (${documents.length})`,
    description,
    color: Colors.search,
    footer: { text: 'Newest first · /source name:<title> shows one' },
  });
}

/** What `/reindex` did. */
export function renderIngestReport(report: IngestReport): APIEmbed {
  const list = (files: readonly string[]) =>
    files.length === 0 ? 'none' : files.map((file) => `\`${file.replace(/`/g, "'")}\``).join(', ');
  return fitEmbed({
    title: report.rebuilt ? 'Index rebuilt' : 'Index already up to date',
    description: escapeInline(report.reason),
    color: Colors.search,
    fields: [
      { name: 'Added', value: list(report.added) },
      { name: 'Changed', value: list(report.changed) },
      { name: 'Removed', value: list(report.removed) },
      { name: 'Totals', value: `${report.documents} documents, ${report.chunks} chunks · ${report.durationMs} ms` },
      ...(report.skipped.length
        ? [
            {
              name: 'Skipped',
              value: report.skipped.map((entry) => `\`${entry.file.replace(/`/g, "'")}\`: ${escapeInline(entry.reason)}`).join('\n'),
            },
          ]
        : []),
    ],
    footer: { text: `Built at ${report.builtAt}` },
  });
}

/** What the bot can do (`/help`, and the reply to an empty mention). */
export function renderHelp(options: { mentions: boolean; botName: string }): APIEmbed {
  const lines = [
    'I answer questions about the documents in my folder **only with verbatim quotes**, each cited to its source (title, date, file, paragraph). When the documents do not answer a question, I say so instead of guessing.',
    '',
    '**Commands**',
    '`/ask question:<text> [private] [target:@someone] [thread]` — a quoted, cited answer. Buttons: **Passages** (what I retrieved), 👍 / 👎 (feedback). With `target`, the answer is posted for that person and pings only them. With `thread`, I answer in a new thread, where you can ask follow-ups.',
    '`/search query:<text> [results]` — the best-matching passages with scores, paged.',
    '`/timeline topic:<text>` — what each source says on a topic, oldest first (undated sources apart), paged.',
    '`/source name:<title>` — one document: title, date, size and opening.',
    '`/sources` — every indexed document, newest first.',
    'Message menu → **Apps → Find sources** — passages that support a message, privately, with a button to post them for its author.',
  ];
  if (options.mentions) {
    lines.push(`Mention me with a question: \`@${escapeInline(options.botName)} <your question>\``);
    lines.push('In a thread I answer in, mention me with a follow-up (“when was that?”, “and Vietnam?”): I show how I read it.');
  }
  lines.push('', '**Tips**: ask one specific question in plain words; names, places and dates help.');
  return fitEmbed({ title: 'How to ask', description: lines.join('\n'), color: Colors.answer });
}

/** A button row; at most five buttons per row, as Discord requires. */
export function buttonRow(buttons: readonly APIButtonComponent[]): ButtonRow {
  return { type: ComponentType.ActionRow, components: buttons.slice(0, DiscordLimits.buttonsPerRow) };
}

/** A regular (non-link) button. */
export function button(options: {
  customId: string;
  label: string;
  style?: ButtonStyle;
  disabled?: boolean;
  emoji?: string;
}): APIButtonComponent {
  if (options.customId.length > DiscordLimits.customId) throw new RangeError(`custom id longer than ${DiscordLimits.customId}`);
  return {
    type: ComponentType.Button,
    custom_id: options.customId,
    style: (options.style ?? ButtonStyle.Secondary) as ButtonStyle.Secondary,
    label: truncate(options.label, DiscordLimits.buttonLabel),
    ...(options.emoji === undefined ? {} : { emoji: { name: options.emoji } }),
    ...(options.disabled === undefined ? {} : { disabled: options.disabled }),
  };
}

/** Previous / Next buttons for a paged view. */
export function pagerRow(options: {
  page: number;
  pages: number;
  customIdFor: (page: number) => string;
  extra?: readonly APIButtonComponent[];
}): ButtonRow {
  return buttonRow([
    button({ customId: options.customIdFor(options.page - 1), label: 'Previous', disabled: options.page <= 0 }),
    button({ customId: options.customIdFor(options.page + 1), label: 'Next', disabled: options.page >= options.pages - 1 }),
    ...(options.extra ?? []),
  ]);
}

/** Autocomplete choices for `/source`: titles or files containing what was typed, at most 25. */
export function documentChoices(documents: readonly DocumentSummary[], typed: string): { name: string; value: string }[] {
  const needle = typed.trim().toLowerCase();
  return documents
    .filter(
      (document) => needle.length === 0 || document.title.toLowerCase().includes(needle) || document.file.toLowerCase().includes(needle),
    )
    .slice(0, DiscordLimits.autocompleteChoices)
    .map((document) => ({
      name:
        truncate(
          `${document.title.replace(/\s+/g, ' ')}${document.date === null ? '' : ` (${document.date})`}`,
          DiscordLimits.choiceName,
        ) || document.file.slice(0, 100),
      value: document.file.slice(0, DiscordLimits.choiceValue),
    }));
}
