/**
 * Cleaning what users type before it reaches the engine: invisible characters, code fences and
 * bot mentions are removed, very long input is cut, and input without any words is refused with
 * a helpful explanation instead of being sent to the engine.
 */
import { exampleQuestion } from '../core/example.js';
import type { AnswerEngine } from '../core/types.js';

/** The engine sees at most this many characters of a question. */
export const MAX_QUESTION_CHARS = 1000;

/** Zero-width characters, bidi controls and the BOM: invisible, never meaningful in a question. */
const INVISIBLE = /[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

export type CheckedQuestion =
  | { readonly ok: true; readonly question: string; readonly shortened: boolean }
  | { readonly ok: false; readonly reason: string };

/** Remove `<@id>` / `<@!id>` mentions of the given user. */
export function stripMention(content: string, userId: string): string {
  return content.replace(new RegExp(`<@!?${userId}>`, 'g'), ' ');
}

/**
 * Clean a question and decide whether it can be asked. `example`: a question about the loaded
 * corpus (`exampleFor`), suggested when the input is refused. Input longer than
 * `MAX_QUESTION_CHARS` is refused, or shortened with `longInput: 'shorten'` (a long message to find sources for).
 */
export function checkQuestion(
  input: string,
  options: { example?: string | undefined; longInput?: 'refuse' | 'shorten' } = {},
): CheckedQuestion {
  const forExample = options.example ? ` For example: *${options.example}*` : '';
  const cleaned = input
    .replace(INVISIBLE, '')
    // Code blocks and inline code: keep the words inside, drop the fences and language tag.
    .replace(/```[a-z0-9+-]*\n?/gi, ' ')
    .replace(/`/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const words = cleaned.match(/[\p{L}\p{N}]/gu) ?? [];
  if (cleaned.length === 0) {
    return { ok: false, reason: `Your question is empty. Ask me something about the documents (\`/sources\` lists them).${forExample}` };
  }
  if (words.length < 2) {
    return {
      ok: false,
      reason: `I need a question in words (emoji, symbols or a single letter are not enough); \`/sources\` lists the documents I answer from.${forExample}`,
    };
  }
  const shortened = cleaned.length > MAX_QUESTION_CHARS;
  if (shortened && options.longInput !== 'shorten') {
    return {
      ok: false,
      reason: `Your question is ${cleaned.length.toLocaleString('en')} characters long; please ask it in at most ${MAX_QUESTION_CHARS.toLocaleString('en')}.`,
    };
  }
  return { ok: true, question: shortened ? cleaned.slice(0, MAX_QUESTION_CHARS) : cleaned, shortened };
}

/** The example question for refusals: about the newest document the engine serves. */
export function exampleFor(engine: Pick<AnswerEngine, 'documents'>): string | undefined {
  const newest = engine.documents()[0];
  return newest ? exampleQuestion(newest.title) : undefined;
}
