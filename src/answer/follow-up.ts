/**
 * Follow-up questions in a conversation (a thread): "when was that?", "what did he say about
 * it?", "and Vietnam?" leave out what the earlier question said. `resolveFollowUp` carries it over,
 * by rules on the words (no language model), and says whether it rewrote anything, so the reply
 * can show how it read the question. A question that names its own subject stands alone and is
 * left as asked.
 */
import { terms } from '../text/terms.js';
import type { QuestionContext } from './question.js';

export interface ResolvedFollowUp {
  /** The question to answer: the follow-up with the earlier subject carried over, or as asked. */
  readonly text: string;
  readonly rewritten: boolean;
}

/** Words that point back to a person named before. */
const PERSON_PRONOUN = /\b(he|she|him|his|her|hers)\b/i;
/** Words that point back to the thing asked about before ("it", "that", "they"). */
const THING_PRONOUN = /\b(it|its|they|them|their|those|these)\b/i;
/** "that" / "this" as a pronoun: at the end of a clause, or after a verb or preposition ("was that", "about this"). */
const DEMONSTRATIVE =
  /\b(?:(?:is|was|are|were|did|does|do|about|of|on|for|with|in|after|before|mean|means|say|said|happen|cause|caused)\s+(that|this)\b|(that|this)\s*(?=[?.!,;]|$))/i;
const AUXILIARY = /^(?:is|are|was|were|do|does|did|has|have|had|will|would|can|could|should)$/i;
/** "there" as a place, not "there is/are/was". */
const THERE = /\bthere\b(?!\s+(?:is|are|was|were|be|been|will|would|has|have|had)\b)/i;

/** "and Vietnam?", "what about Hanoi?", "how about in Dalian?": the earlier question, about something else. */
const ELLIPSIS = /^\W*(?:and\s+)?(?:what|how)\s+about\s+(.+?)\W*$|^\W*and\s+(.+?)\W*$/i;

/** The question lead to strip from an earlier question to get what it was about: "when did", "how high are the". */
const LEAD =
  /^\W*(?:(?:who|whom|whose|what|which|when|where|why|how(?:\s+(?:much|many|high|large|big|long|far|old|steep))?)(?:\s*['’]s)?\s+)?(?:(?:is|are|was|were|do|does|did|has|have|had|will|would|can|could|should)\s+)?(?:(?:the|a|an)\s+)?/i;

/**
 * Follow-ups without a subject have at most this many words of their own that carry meaning
 * ("when was that signed?" → signed); more, and the question says enough to stand alone.
 */
const MAX_OWN_TERMS = 3;

/** Words that only say what kind of answer is asked for: a question of only these asks about the earlier subject. */
const ASKING_TERMS = new Set(
  terms(
    'year years date dates day days month months time exactly again happen happened mean means number amount say said tell more detail details',
  ),
);

/** Read a follow-up against the conversation's earlier questions (oldest first; each as it was understood). */
export function resolveFollowUp(followUp: string, earlier: readonly string[], context: Pick<QuestionContext, 'isName'>): ResolvedFollowUp {
  const asked = followUp.trim();
  const unchanged = { text: asked, rewritten: false };
  const previous = [...earlier].reverse().find((question) => terms(question).length > 0);
  if (previous === undefined || asked.length === 0) return unchanged;
  const ownTerms = terms(asked);
  const ownNames = ownTerms.filter((term) => isTopic(term, context));
  const earlierNames = nameRuns(previous, context);

  // "and Vietnam?": the earlier question, with its (last) name replaced by the new one.
  const ellipsis = ELLIPSIS.exec(asked);
  const replacement = (ellipsis?.[1] ?? ellipsis?.[2])?.trim();
  if (replacement !== undefined && replacement.length > 0 && terms(replacement).length > 0 && terms(replacement).length <= 4) {
    return rewritten(replaceInEarlier(previous, replacement, context), asked);
  }

  // "he" / "she" with no name before it points back to the earlier question's (first) name: "what did he say about Vietnam?".
  let text = asked;
  const person = earlierNames[0];
  const personPronoun = PERSON_PRONOUN.exec(text);
  if (person !== undefined && personPronoun !== null && nameRuns(text.slice(0, personPronoun.index), context).length === 0) {
    text = text.replace(new RegExp(PERSON_PRONOUN.source, 'gi'), (pronoun) =>
      /^(his|hers)$/i.test(pronoun) ? `${person.text}'s` : person.text,
    );
  }
  // Otherwise a follow-up that names its own subject, or says much of its own, stands alone.
  const meaningful = ownTerms.filter((term) => !ASKING_TERMS.has(term));
  if (ownNames.length > 0 || meaningful.length > MAX_OWN_TERMS) return text === asked ? unchanged : rewritten(text, asked);

  const place = earlierNames.at(-1);
  if (place !== undefined && THERE.test(text)) text = text.replace(THERE, `in ${place.text}`);
  // What the earlier question was about, without the names already carried over.
  const subject = subjectOf(previous, text);
  if (subject.length > 0) {
    const demonstrative = DEMONSTRATIVE.exec(text);
    if (demonstrative !== null) {
      const word = demonstrative[1] ?? demonstrative[2] ?? '';
      const at = demonstrative.index + demonstrative[0].lastIndexOf(word);
      text = `${text.slice(0, at)}${subject}${text.slice(at + word.length)}`;
    } else if (THING_PRONOUN.test(text)) {
      text = text.replace(THING_PRONOUN, (pronoun) => (/^(its|their)$/i.test(pronoun) ? `${subject}'s` : subject));
    } else if (meaningful.length === 0 && text === asked) {
      // "when?", "which year?", "why exactly?": asked about the earlier subject.
      text = `${stripEnd(asked)} ${subject}?`;
    }
  }
  return text === asked ? unchanged : rewritten(text, asked);
}

/**
 * "and in Dalian?" after "What did Xi sign in Hanoi?" → "What did Xi sign in Dalian?": what follows the
 * earlier question's same preposition is replaced; "and China?" replaces its last name; anything else is added.
 */
function replaceInEarlier(previous: string, replacement: string, context: Pick<QuestionContext, 'isName'>): string {
  const body = stripEnd(previous);
  const preposition = /^(in|on|for|to|with|of|from|about|after|before|during|between|against)\s+/i.exec(replacement)?.[1];
  if (preposition !== undefined) {
    const at = body.search(new RegExp(`\\b${preposition}\\s+(?!.*\\b${preposition}\\s)`, 'i'));
    if (at >= 0) return `${body.slice(0, at)}${replacement}?`;
  }
  const names = nameRuns(replacement, context);
  const last = nameRuns(previous, context).at(-1);
  const bareName = names.length === 1 && terms(replacement.replace(/^the\s+/i, '')).length === terms(names[0]?.text ?? '').length;
  if (bareName && last !== undefined) return `${previous.slice(0, last.start)}${replacement}${previous.slice(last.end)}`;
  return `${body}, ${replacement}?`;
}

function rewritten(text: string, asked: string): ResolvedFollowUp {
  const clean = text
    .replace(/\s+/g, ' ')
    .replace(/\s+([?,.!])/g, '$1')
    .trim();
  return clean === asked ? { text: asked, rewritten: false } : { text: clean, rewritten: true };
}

function stripEnd(question: string): string {
  return question.trim().replace(/[\s?.!]+$/, '');
}

function isTopic(term: string, context: Pick<QuestionContext, 'isName'>): boolean {
  return /^\p{N}/u.test(term) || context.isName(term);
}

interface NameRun {
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

/** Runs of adjacent words that are names in the corpus ("Li Qiang", "Vietnam"), as written, with their offsets. */
function nameRuns(text: string, context: Pick<QuestionContext, 'isName'>): NameRun[] {
  const runs: NameRun[] = [];
  let current: { start: number; end: number } | null = null;
  for (const match of text.matchAll(/[\p{L}\p{M}\p{N}]+(?:['’][\p{L}]+)?/gu)) {
    const word = match[0];
    const wordTerms = terms(word);
    const isName = wordTerms.length > 0 && wordTerms.every((term) => isTopic(term, context));
    const start = match.index;
    const end = start + word.replace(/['’]s$/, '').length;
    if (isName && current !== null && /^\s+$/.test(text.slice(current.end, start))) current.end = end;
    else if (isName) {
      if (current !== null) runs.push({ text: text.slice(current.start, current.end), ...current });
      current = { start, end };
    } else if (current !== null) {
      runs.push({ text: text.slice(current.start, current.end), ...current });
      current = null;
    }
  }
  if (current !== null) runs.push({ text: text.slice(current.start, current.end), ...current });
  return runs;
}

/** What an earlier question was about: it without its question lead ("When did Xi visit Hanoi?" → "Xi visit Hanoi"), minus names `text` already has. */
function subjectOf(previous: string, text: string): string {
  const present = new Set(terms(text));
  const typed = new Set(text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []);
  // "who pays for the line?": "who" is the subject, so the verb after it goes too ("the line").
  const body = stripEnd(previous)
    .replace(
      /^\W*who\s+(?!(?:is|are|was|were|do|does|did|has|have|had|will|would|can|could|should)\b)[\p{L}'’-]+\s+(?:(?:for|about|on|to|with|in|of|from)\s+)?/iu,
      '',
    )
    .replace(LEAD, '');
  // Words the follow-up already has ("when did he say that?": "say") and auxiliaries ("what agreements did Xi sign") go.
  const words = body.split(/\s+/).filter((word) => {
    if (AUXILIARY.test(word) || typed.has(word.toLowerCase())) return false;
    const wordTerms = terms(word);
    return !(wordTerms.length > 0 && wordTerms.every((term) => present.has(term)));
  });
  return words.join(' ').trim();
}
