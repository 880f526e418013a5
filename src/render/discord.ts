import { type APIEmbed, type APIEmbedField, codeBlock } from 'discord.js';
import type { Answer, Citation, DocumentSummary, IngestReport } from '../core/types.js';
import {
  DiscordLimits,
  Colors,
  truncate,
  escapeQuote,
  quoteMarkdown,
  escapeInline,
  fitEmbed,
  fitContent,
  citationKey,
  describeCitation,
  type CollectionView,
} from './discord-format.js';
import { DEFAULT_COLLECTION } from '../core/collections.js';
import { askInWordsReply, neverMentioned, smallTalkReply } from './text.js';

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

export interface AnswerView extends CollectionView {
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
  const readAs = readAsLines(answer);
  const age = `Index built ${describeAge(view.builtAt, view.now)}`;
  if (!answer.answered || answer.quotes.length === 0) return renderNoAnswer(answer, view, { title, readAs, age });
  const { blocks, cited } = quoteBlocks(answer);
  return fitEmbed({
    title,
    description: [...readAs, blocks.join('\n\n')].join('\n'),
    color: Colors.answer,
    fields: sourceFields(
      'Sources',
      cited.map((citation, index) => `[${index + 1}] ${describeCitation(citation, view)}`),
      MAX_SOURCE_FIELDS,
    ),
    footer: { text: `${age} · ${agreementOf(answer)}` },
  });
}

/** A follow-up shows how it was read, so a wrong reading is visible: as a question when it reads as one, else what it was about. */
function readAsLines(answer: Answer): string[] {
  const about = answer.followUp?.about;
  if (answer.readAs !== undefined) return [`Read as: *${escapeInline(truncate(answer.readAs, 300))}*`, ''];
  if (about !== undefined) return [`About: *${escapeInline(truncate(about, 300))}*`, ''];
  return [];
}

/** The honest "no quote found" reply (or the reply to no question at all), with the closest passages. */
function renderNoAnswer(answer: Answer, view: AnswerView, parts: { title: string; readAs: readonly string[]; age: string }): APIEmbed {
  const closest = answer.passages.slice(0, 3);
  const lines =
    answer.abstainReason === 'empty-question'
      ? [escapeInline(askInWordsReply(answer.example))]
      : answer.abstainReason === 'small-talk'
        ? [escapeInline(smallTalkReply(answer.example))]
        : [
            'I could not find a passage in the documents that answers this, so I will not guess.',
            ...neverMentioned(answer).map(escapeInline),
          ];
  lines.unshift(...parts.readAs);
  if (closest.length > 0) {
    lines.push('', 'Closest passages (they may not answer the question):');
    closest.forEach((passage, index) => {
      lines.push(`> ${escapeQuote(truncate(passage.text, 600))} [${index + 1}]`);
    });
  }
  return fitEmbed({
    title: parts.title,
    description: lines.join('\n'),
    color: Colors.noAnswer,
    fields: sourceFields(
      'Sources',
      closest.map((passage, index) => `[${index + 1}] ${describeCitation(passage, view)}`),
      3,
    ),
    footer: { text: `${parts.age} · no answer found` },
  });
}

/** Each quote as a block quote ending with its `[n]` markers, and the citations in the order they were first numbered. */
function quoteBlocks(answer: Answer): { blocks: string[]; cited: Citation[] } {
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
    const lines = [`> ${quoteMarkdown(quote.text, quote.marks ?? [], quoteBudget)} ${uniqueMarkers}`];
    // A fence inside the code would end the block early: break it with a zero-width space.
    if (quote.example) lines.push(codeBlock(quote.example.text.replaceAll('```', '``\u200b`')));
    // Sources that answer with a different figure or date are shown, quoted and cited, never hidden.
    for (const conflict of quote.conflicts ?? []) {
      lines.push(`Another source differs:\n> ${escapeQuote(truncate(conflict.text, Math.floor(quoteBudget / 2)))} [${numberOf(conflict)}]`);
    }
    return lines.join('\n');
  });
  return { blocks, cited };
}

/** The footer's count: how many sources the quotes agree across, and how many differ. */
function agreementOf(answer: Answer): string {
  const agreeing = new Set(answer.quotes.flatMap((quote) => [quote.source, ...quote.alsoIn.map((citation) => citation.source)]));
  const differing = new Set(answer.quotes.flatMap((quote) => (quote.conflicts ?? []).map((conflict) => conflict.source)));
  return (
    (agreeing.size === 1 ? '1 source' : `${agreeing.size} sources agree`) +
    (differing.size === 0 ? '' : ` · ${differing.size} differ${differing.size === 1 ? 's' : ''}`)
  );
}

/** One document's title, date, size and opening paragraph (`/source`); its collection when the corpus has several. */
export function renderDocument(document: DocumentSummary, view: CollectionView = {}): APIEmbed {
  return fitEmbed({
    title: escapeInline(document.title) || document.file,
    description: `> ${escapeQuote(truncate(document.opening, 3000))}`,
    color: Colors.search,
    fields: [
      ...(view.showCollections ? [{ name: 'Collection', value: escapeInline(document.collection), inline: true }] : []),
      { name: 'Date', value: document.date ?? 'unknown', inline: true },
      { name: 'File', value: `\`${document.file.replace(/`/g, "'")}\``, inline: true },
      { name: 'Size', value: `${document.characters.toLocaleString('en-US')} characters, ${document.paragraphs} paragraphs`, inline: true },
    ],
  });
}

export interface DocumentListView extends CollectionView {
  /** The collections a channel is limited to (`/scope`), when it is: the list says so. */
  readonly scope?: readonly string[];
}

/**
 * Every indexed document (of a channel's scope), in the order given (the engine lists newest
 * first); under a heading per collection when the corpus has several.
 */
export function renderDocumentList(documents: readonly DocumentSummary[], view: DocumentListView = {}): APIEmbed {
  const line = (document: DocumentSummary, index: number) =>
    `${index + 1}. **${escapeInline(truncate(document.title, 200))}** — ${document.date ?? 'undated'} · \`${document.file.replace(/`/g, "'")}\``;
  const lines: string[] = [];
  if (view.scope !== undefined) {
    const names = view.scope.map((name) => `**${escapeInline(name)}**`).join(', ');
    lines.push(
      `This channel answers only from ${view.scope.length === 1 ? 'the collection' : 'the collections'} ${names || '(none)'}.`,
      '',
    );
  }
  if (view.showCollections) {
    const byCollection = new Map<string, DocumentSummary[]>();
    for (const document of documents) byCollection.set(document.collection, [...(byCollection.get(document.collection) ?? []), document]);
    let number = 0;
    for (const name of [...byCollection.keys()].sort(byCollectionName)) {
      const members = byCollection.get(name) ?? [];
      lines.push(`__${escapeInline(name)}__ (${members.length} document${members.length === 1 ? '' : 's'})`);
      for (const document of members) lines.push(line(document, number++));
    }
  } else {
    lines.push(...documents.map(line));
  }
  if (documents.length === 0) lines.push('No documents are indexed yet.');
  let description = '';
  for (const [index, line] of lines.entries()) {
    const more = `\n… and ${lines.length - index} more`;
    if (description.length + line.length + 1 + more.length > DiscordLimits.embedDescription) {
      description += more;
      break;
    }
    description = description.length === 0 ? line : `${description}\n${line}`;
  }
  return fitEmbed({
    title: view.scope === undefined ? `Indexed documents (${documents.length})` : `Documents in this channel's scope (${documents.length})`,
    description,
    color: Colors.search,
    footer: { text: 'Newest first · /source name:<title> shows one' },
  });
}

/** `default` (the files at the top of the corpus folder) first, then by name. */
function byCollectionName(left: string, right: string): number {
  return Number(right === DEFAULT_COLLECTION) - Number(left === DEFAULT_COLLECTION) || left.localeCompare(right);
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
    '`/scope show` — which collections of documents this channel answers from (managers change it with `/scope set` and `/scope clear`).',
    'Message menu → **Apps → Find sources** — passages that support a message, privately, with a button to post them for its author.',
  ];
  if (options.mentions) {
    lines.push(`Mention me with a question: \`@${escapeInline(options.botName)} <your question>\``);
    lines.push('In a thread I answer in, mention me with a follow-up (“when was that?”, “and the other one?”): I show how I read it.');
  }
  lines.push('', '**Tips**: ask one specific question in plain words; names, places and dates help.');
  return fitEmbed({ title: 'How to ask', description: lines.join('\n'), color: Colors.answer });
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
