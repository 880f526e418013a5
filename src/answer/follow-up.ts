/**
 * Follow-up questions in a conversation (a thread): "when was that?", "how many of them?", "and
 * Malaysia?" leave out what an earlier turn said. `readFollowUp` decides whether a question is a
 * follow-up at all (one that brings its own subject starts afresh), resolves what it can into a
 * question that still reads as one ("he" → the person of the turn before, "there" → its place,
 * "and X?" → the turn's question about X), and otherwise says what it was taken to be about. The
 * engine answers the reading, with the words carried over from the turn before (docs/ranking.md
 * says why it does not also search the follow-up joined to that turn, weighted).
 */
import type { CarriedContext, ConversationTurn, FollowUpReading } from '../core/types.js';
import { terms } from '../text/terms.js';
import {
  ASKING_WORDS,
  AUXILIARY,
  BE_QUESTION,
  DANGLING_PREPOSITION,
  BEFORE_NAME,
  DEMONSTRATIVE,
  ELLIPSIS,
  LEAD,
  LEADING_PREPOSITION,
  PERSON_PRONOUN,
  PERSON_QUESTION,
  QUESTION_START,
  POSSESSIVE_PRONOUN,
  THERE,
  THING_PRONOUN,
  WHO_AND_VERB,
} from '../text/en.js';
import type { QuestionContext } from './question.js';
import { FOLLOW_UPS } from './settings.js';

export interface FollowUp {
  /** Searched as the follow-up's own reading: as asked, or with what it points back to written in. */
  readonly text: string;
  /** `text`, when it differs from what was asked and still reads as a question (shown as "Read as"). */
  readonly readAs: string | null;
  /** The words the reading took from the turn before (its question, what it was about); null when it stands alone. */
  readonly carriedWords: string | null;
  /** How it was read; null when the question stands alone (no follow-up). */
  readonly reading: FollowUpReading | null;
  /** It points back to nothing ("on which routes?", "ok thanks"): talk that is no question is no follow-up either. */
  readonly implicit?: boolean;
}

const ASKING_TERMS = new Set(terms(ASKING_WORDS.join(' ')));

/** "and X?" names something new when X has at most this many terms; longer, it is a question of its own. */
const MAX_REPLACEMENT_TERMS = 4;

/** The turn a follow-up is read against: its number (1 for the first), the turn, and its question as read. */
interface TurnBefore {
  readonly turn: number;
  readonly previous: ConversationTurn;
  readonly question: string;
}

/** What a question's pronouns point back to: a person ("he"), a thing ("it", "that"), a place ("there"). */
interface Pointing {
  readonly person: boolean;
  readonly thing: boolean;
  readonly place: boolean;
  readonly any: boolean;
}

/** Read a question against the conversation's earlier turns (oldest first). */
export function readFollowUp(asked: string, earlier: readonly ConversationTurn[], context: Pick<QuestionContext, 'isName'>): FollowUp {
  const question = asked.trim();
  const alone: FollowUp = { text: question, readAs: null, carriedWords: null, reading: null };
  const index = earlier.findLastIndex((turn) => terms(searchedText(turn)).length > 0);
  const previous = earlier[index];
  if (previous === undefined || question.length === 0) return alone;
  const before: TurnBefore = { turn: index + 1, previous, question: previous.readAs ?? previous.question };
  const replaced = readReplacement(question, before, context);
  if (replaced !== null) return replaced;
  const pointing = pointingOf(question, context);
  if (bringsOwnSubject(question, earlier, pointing, context)) return alone;
  return readPointingBack(question, before, pointing, context);
}

/** "and Malaysia?": the turn before asked again, about Malaysia. Complete, so searched on its own. Null when it is no such question. */
function readReplacement(question: string, before: TurnBefore, context: Pick<QuestionContext, 'isName'>): FollowUp | null {
  const ellipsis = ELLIPSIS.exec(question);
  // "and where is it based?" is a question of its own after "and", not "and X?".
  const replacement = (ellipsis?.[1] ?? (QUESTION_START.test(ellipsis?.[2] ?? '') ? undefined : ellipsis?.[2]))?.trim();
  if (replacement === undefined || terms(replacement).length === 0 || terms(replacement).length > MAX_REPLACEMENT_TERMS) return null;
  const { turn, previous, question: previousQuestion } = before;
  const carried: CarriedContext[] = [{ turn, how: 'replaced', text: previousQuestion }];
  if (previous.about === undefined) {
    const { text, grammatical } = replaceInEarlier(previousQuestion, replacement, context);
    const clean = tidy(`${text}?`);
    return grammatical
      ? { text: clean, readAs: clean, carriedWords: previousQuestion, reading: { carried } }
      : { text: clean, readAs: null, carriedWords: previousQuestion, reading: { carried, about: tidy(text) } };
  }
  // The turn before was itself read as being about something: the follow-up is about that, with X instead.
  const about = tidy(replaceInEarlier(previous.about, replacement, context).text);
  return { text: tidy(`${previous.question} ${about}`), readAs: null, carriedWords: about, reading: { carried, about } };
}

function pointingOf(question: string, context: Pick<QuestionContext, 'isName'>): Pointing {
  const personPronoun = PERSON_PRONOUN.exec(question);
  const person = personPronoun !== null && nameRuns(question.slice(0, personPronoun.index), context).length === 0;
  const thing = DEMONSTRATIVE.test(question) || THING_PRONOUN.test(question);
  const place = THERE.test(question);
  return { person, thing, place, any: person || thing || place };
}

/**
 * A question that brings its own subject (a name or figure no turn had, or more than a few words of its own) starts afresh.
 * One of only asking words ("when?", "why exactly?") or a few words of its own ("on which routes?") is read with the turn
 * before, whatever its closeness in meaning to it (docs/ranking.md says why).
 */
function bringsOwnSubject(
  question: string,
  earlier: readonly ConversationTurn[],
  pointing: Pointing,
  context: Pick<QuestionContext, 'isName'>,
): boolean {
  const ownTerms = terms(question);
  const earlierTerms = new Set(earlier.flatMap((each) => terms(`${searchedText(each)} ${each.answer ?? ''}`)));
  const newNames = ownTerms.filter((term) => isTopic(term, context) && !earlierTerms.has(term));
  const meaningful = ownTerms.filter((term) => !ASKING_TERMS.has(term));
  if (!pointing.any && (newNames.length > 0 || meaningful.length > FOLLOW_UPS.maxOwnTerms)) return true;
  return !pointing.person && !pointing.place && meaningful.length > FOLLOW_UPS.maxOwnTerms;
}

/** A follow-up read with the turn before: what its pronouns point to written in, or what that turn was about. */
function readPointingBack(question: string, before: TurnBefore, pointing: Pointing, context: Pick<QuestionContext, 'isName'>): FollowUp {
  const { previous, question: previousQuestion } = before;
  const { text: resolved, nounPhrase, carried } = writeInPronouns(question, before, pointing, context);
  const carriedWords = previous.about === undefined ? previousQuestion : `${withoutPronouns(previousQuestion)} ${previous.about}`;
  // "it", "that", "them", or nothing at all ("when?"): what the turn before was about, written in for the search only.
  const subject = subjectOf(carriedWords, resolved);
  const about = ((pointing.thing && nounPhrase === undefined) || !pointing.any) && subject.length > 0 ? subject : undefined;
  if (about !== undefined) carried.push({ turn: before.turn, how: 'subject', text: about });
  const clean = tidy(about === undefined ? resolved : writeInSubject(resolved, about));
  const grammatical = about === undefined && clean !== question;
  return {
    text: clean,
    readAs: grammatical ? clean : null,
    carriedWords,
    reading: { carried, ...(about === undefined ? {} : { about }) },
    ...(pointing.any ? {} : { implicit: true }),
  };
}

/** "he", "there", and "they" after "what are X?" replaced by the person, place or noun phrase of the turn before. */
function writeInPronouns(
  question: string,
  before: TurnBefore,
  pointing: Pointing,
  context: Pick<QuestionContext, 'isName'>,
): { text: string; nounPhrase: string | undefined; carried: CarriedContext[] } {
  const { turn, previous, question: previousQuestion } = before;
  const carried: CarriedContext[] = [];
  let text = question;
  const person = pointing.person ? personOf(previous, previousQuestion, context) : undefined;
  if (person !== undefined) {
    text = text.replace(new RegExp(PERSON_PRONOUN.source, 'gi'), (pronoun) => (POSSESSIVE_PRONOUN.test(pronoun) ? `${person}'s` : person));
    carried.push({ turn, how: 'pronoun', text: person });
  }
  const place = pointing.place ? nameRuns(previousQuestion, context).at(-1)?.text : undefined;
  if (place !== undefined) {
    text = text.replace(THERE, `in ${place}`);
    carried.push({ turn, how: 'pronoun', text: place });
  }
  // "they" after "How high are the US tariffs on Vietnam?": the noun phrase it asked about, and the reading is still a question.
  const nounPhrase = previous.about === undefined ? BE_QUESTION.exec(previousQuestion)?.[1] : undefined;
  if (pointing.thing && nounPhrase !== undefined) {
    const demonstrative = DEMONSTRATIVE.exec(text);
    text = demonstrative !== null ? replaceDemonstrative(text, demonstrative, nounPhrase) : replaceThingPronoun(text, nounPhrase);
    carried.push({ turn, how: 'pronoun', text: nounPhrase });
  }
  return { text, nounPhrase, carried };
}

/** What the turn before was about, in place of "that" or "it", else after the question. */
function writeInSubject(text: string, subject: string): string {
  const demonstrative = DEMONSTRATIVE.exec(text);
  if (demonstrative !== null) return replaceDemonstrative(text, demonstrative, subject);
  if (THING_PRONOUN.test(text)) return replaceThingPronoun(text, subject);
  return `${stripEnd(text)} ${subject}?`;
}

/** `text` with the demonstrative's "that" / "this" replaced. */
function replaceDemonstrative(text: string, demonstrative: RegExpExecArray, replacement: string): string {
  const word = demonstrative[1] ?? demonstrative[2] ?? '';
  const at = demonstrative.index + demonstrative[0].lastIndexOf(word);
  return `${text.slice(0, at)}${replacement}${text.slice(at + word.length)}`;
}

/** `text` with its first "it" / "they" / … replaced ("its" by the possessive). */
function replaceThingPronoun(text: string, replacement: string): string {
  return text.replace(THING_PRONOUN, (pronoun) => (POSSESSIVE_PRONOUN.test(pronoun) ? `${replacement}'s` : replacement));
}

/** A question without the words that point back ("what minerals lie along its route?" → "what minerals lie along route?"). */
function withoutPronouns(question: string): string {
  const removed = question
    .replace(new RegExp(PERSON_PRONOUN.source, 'gi'), ' ')
    .replace(new RegExp(THING_PRONOUN.source, 'gi'), ' ')
    .replace(new RegExp(DEMONSTRATIVE.source, 'gi'), (match) => match.replace(/\b(?:that|this)\b/i, ' '));
  // "how many of them?" → "how many", not "how many of?".
  return tidy(stripEnd(removed).replace(DANGLING_PREPOSITION, ''));
}

/** What a turn searched with: its reading, and what it was about. */
function searchedText(turn: ConversationTurn): string {
  return [turn.readAs ?? turn.question, turn.about ?? ''].join(' ');
}

/**
 * The person "he" / "she" points to: after a question asking who, the person its answer names (the
 * first name the question did not give); else the turn's question's first name, or its answer's.
 */
function personOf(previous: ConversationTurn, previousQuestion: string, context: Pick<QuestionContext, 'isName'>): string | undefined {
  const asked = nameRuns(previousQuestion, context);
  const given = new Set(terms(previousQuestion));
  const answered = previous.answer === undefined ? [] : nameRuns(previous.answer, context).flatMap((run) => newPart(run.text, given));
  if (PERSON_QUESTION.test(previousQuestion)) {
    // The longest name: a person is often named with a title ("Prime Minister Phạm Minh Chính"), a dateline's place alone.
    const person = answered.reduce<string | undefined>(
      (longest, name) => (longest === undefined || name.split(/\s+/).length > longest.split(/\s+/).length ? name : longest),
      undefined,
    );
    if (person !== undefined) return person;
  }
  return asked[0]?.text ?? answered[0];
}

/** A run of names without its leading words the question gave ("Vietnam Xiong Bo" after "ambassador to Vietnam" → "Xiong Bo"). */
function newPart(run: string, given: ReadonlySet<string>): string[] {
  const words = run.split(/\s+/);
  const first = words.findIndex((word) => !terms(word).every((term) => given.has(term)));
  return first < 0 ? [] : [words.slice(first).join(' ')];
}

/**
 * "and in Dalian?" after "What did Xi sign in Hanoi?" → "What did Xi sign in Dalian": what follows the
 * earlier question's same preposition is replaced; "and China?" replaces its last name; anything
 * else is added, and the result is no longer a question.
 */
function replaceInEarlier(
  previous: string,
  replacement: string,
  context: Pick<QuestionContext, 'isName'>,
): { text: string; grammatical: boolean } {
  const body = stripEnd(previous);
  const preposition = LEADING_PREPOSITION.exec(replacement)?.[1];
  if (preposition !== undefined) {
    const at = body.search(new RegExp(`\\b${preposition}\\s+(?!.*\\b${preposition}\\s)`, 'i'));
    if (at >= 0) return { text: `${body.slice(0, at)}${replacement}`, grammatical: true };
  }
  const names = nameRuns(replacement, context);
  const name = names[0];
  const last = nameRuns(body, context).at(-1);
  const bare = replacement.replace(BEFORE_NAME, '');
  const bareName = names.length === 1 && name !== undefined && terms(bare).length === terms(name.text).length;
  if (bareName && last !== undefined) return { text: `${body.slice(0, last.start)}${name.text}${body.slice(last.end)}`, grammatical: true };
  return { text: `${body}, ${replacement}`, grammatical: false };
}

function tidy(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .replace(/\s+([?,.!])/g, '$1')
    .trim();
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

/** What an earlier question was about: it without its question lead ("When did Xi visit Hanoi?" → "Xi visit Hanoi"), minus words `text` already has. */
function subjectOf(previous: string, text: string): string {
  const present = new Set(terms(text));
  const typed = new Set(text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []);
  const body = stripEnd(previous).replace(WHO_AND_VERB, '').replace(LEAD, '');
  // Words the follow-up already has ("when did he say that?": "say") and auxiliaries ("what agreements did Xi sign") go.
  const words = body.split(/\s+/).filter((word) => {
    if (AUXILIARY.test(word) || typed.has(word.toLowerCase())) return false;
    const wordTerms = terms(word);
    return !(wordTerms.length > 0 && wordTerms.every((term) => present.has(term)));
  });
  return words.join(' ').trim();
}
