import type { Answer, Citation, Passage, Timeline } from '../core/types.js';

/**
 * "Title (2025-04-14), 000_x.txt ¶3": where a quote stands, as a reader wants to see it; with the
 * section of a structured document ("client.md › Parameter: ClientOptions ¶12"), the page of a PDF
 * ("report.pdf › Results p. 4") and a web page's address.
 */
export function formatCitation(citation: Pick<Citation, 'title' | 'date' | 'source' | 'paragraph' | 'section' | 'page' | 'url'>): string {
  const date = citation.date ? ` (${citation.date})` : '';
  const section = citation.section ? ` › ${citation.section}` : '';
  const place = citation.page ? `p. ${citation.page}` : `¶${citation.paragraph}`;
  const url = citation.url ? ` <${citation.url}>` : '';
  return `${citation.title}${date}, ${citation.source}${section} ${place}${url}`;
}

/** "Sources disagree" when another document states a different figure or ordinal; empty otherwise. */
export function conflictNote(quote: { conflicts?: readonly unknown[] }): string {
  return quote.conflicts?.length ? 'sources disagree' : '';
}

/** "2 sources agree" when other documents state the same; empty otherwise. */
export function agreementNote(quote: { alsoIn: readonly unknown[] }): string {
  return quote.alsoIn.length > 0 ? `${quote.alsoIn.length + 1} sources agree` : '';
}

export const NOT_IN_SOURCES = "The sources don't say.";

/** The reply to a greeting or a few words that ask nothing the documents answer; `example` comes from the loaded corpus. */
export function smallTalkReply(example: string | undefined): string {
  return `I answer questions about the documents with quotes from them, each cited. Ask me a question${example ? `, e.g. “${example}”` : ''}.`;
}

/** The reply to a message without words. */
export function askInWordsReply(example: string | undefined): string {
  return `Please ask a question in words${example ? `, e.g. “${example}”` : ''}.`;
}

/** Plain-text answer for the console: quotes with [n] markers, then the sources, or an honest abstention. */
export function renderAnswerText(answer: Answer): string {
  const body = answerBodyText(answer);
  const about = answer.followUp?.about;
  if (answer.readAs !== undefined) return `Read as: ${answer.readAs}\n${body}`;
  return about === undefined ? body : `About: ${about}\n${body}`;
}

/** Why the sources cannot say, when the question names what they never mention. */
export function neverMentioned(answer: Pick<Answer, 'unknownNames'>): string[] {
  const names = answer.unknownNames ?? [];
  return names.length ? [`They never mention ${names.map((name) => `“${name}”`).join(' or ')}.`] : [];
}

/** A code example as a terminal shows it: indented under the quote. */
function indentCode(code: string): string {
  return code
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}

function answerBodyText(answer: Answer): string {
  if (answer.abstainReason === 'empty-question') return askInWordsReply(answer.example);
  if (answer.abstainReason === 'small-talk') return smallTalkReply(answer.example);
  if (!answer.answered) {
    const closest = answer.passages.slice(0, 3).map((passage, index) => `  ${index + 1}. ${renderPassageLine(passage)}`);
    return [NOT_IN_SOURCES, ...neverMentioned(answer), ...(closest.length ? ['Closest passages:', ...closest] : [])].join('\n');
  }
  const lines: string[] = [];
  const sources: string[] = [];
  answer.quotes.forEach((quote, index) => {
    const marker = `[${index + 1}]`;
    lines.push(`“${quote.text}” ${marker}`);
    if (quote.example) lines.push(indentCode(quote.example.text));
    const notes = [agreementNote(quote), conflictNote(quote)].filter(Boolean).join('; ');
    sources.push(`${marker} ${formatCitation(quote)}${notes ? ` — ${notes}` : ''}`);
    for (const other of quote.alsoIn) sources.push(`    also ${formatCitation(other)}`);
    // Sources that disagree are shown, each with its date, never silently dropped.
    for (const other of quote.conflicts ?? []) {
      lines.push(`But ${other.date ?? 'an undated source'} says: “${other.text}” (${formatCitation(other)})`);
    }
  });
  return [...lines, '', 'Sources:', ...sources].join('\n');
}

/** One passage as a single line: citation, score, then the text. */
export function renderPassageLine(passage: Passage): string {
  return `${formatCitation(passage)} (score ${passage.score.toFixed(3)})\n     ${passage.text}`;
}

export function renderPassagesText(passages: readonly Passage[]): string {
  if (passages.length === 0) return 'No passages found.';
  return passages.map((passage, index) => `${index + 1}. ${renderPassageLine(passage)}`).join('\n');
}

/** Plain-text timeline for the console: each source's quote by date, oldest first, then the undated ones. */
export function renderTimelineText(timeline: Timeline): string {
  if (timeline.abstainReason === 'empty-question') return askInWordsReply(timeline.example);
  if (timeline.abstainReason === 'small-talk') return smallTalkReply(timeline.example);
  if (timeline.dated.length + timeline.undated.length === 0) return NOT_IN_SOURCES;
  const line = (entry: Timeline['dated'][number]) => `“${entry.text}”\n     ${formatCitation(entry)}`;
  const dated = timeline.dated.length ? timeline.dated.map((entry) => `${entry.date}  ${line(entry)}`) : ['No dated sources on this.'];
  const undated = timeline.undated.length
    ? ['', 'Undated (cannot be placed in time):', ...timeline.undated.map((entry) => `            ${line(entry)}`)]
    : [];
  return [...dated, ...undated].join('\n');
}
