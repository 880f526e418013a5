import { ALIASES, ASKS_HOW } from '../text/en.js';
import { asksForLatest, monthsIn, yearsIn } from '../text/dates.js';
import { figuresOf } from '../text/figures.js';
import { contentWords, terms } from '../text/terms.js';

/**
 * A question read once: what it asks for, what it is about, the words it matches. Retrieval,
 * quote selection and abstention all read this one value.
 */
export interface Question {
  /** As asked (trimmed). */
  readonly asked: string;
  /** With other names of the same things added ("PM" → "PM Prime Minister"): what is embedded and matched. */
  readonly text: string;
  /** Index terms of `text`, in order (adjacent pairs are matched too). */
  readonly termList: readonly string[];
  readonly terms: ReadonlySet<string>;
  /** Its content words as typed, each with its term (for word vectors). */
  readonly words: readonly { readonly word: string; readonly term: string }[];
  readonly type: AnswerType;
  /** The words naming the thing asked for, without names, type nouns or answer types ("which Chinese airline" → airline). */
  readonly focus: readonly string[];
  /** Terms that say what is asked (not names, not figures, not answer types: "born", "old", "passengers"). */
  readonly predicateTerms: ReadonlySet<string>;
  /** Terms that say what it is about: names and figures. */
  readonly topicTerms: ReadonlySet<string>;
  /** What the question already says, so no answer: its terms and the nouns its adjectives pertain to. */
  readonly given: ReadonlySet<string>;
  /** Figures it states ("145%"), normalised as in the documents. */
  readonly figures: ReadonlySet<string>;
  /** Years and months it names, and whether it asks for the latest: the date prior reads them. */
  readonly years: ReadonlySet<string>;
  readonly months: readonly number[];
  readonly asksForLatest: boolean;
  /** How many words were asked, and whether any is a name the corpus uses (small talk names nothing). */
  readonly wordCount: number;
  readonly namesCorpus: boolean;
  /** Asks how to do something or for an example (a code example under the answer is shown). */
  readonly asksHow: boolean;
  /** Words written as code or an acronym that the documents never use ("QUIC", "Shift_JIS"): empty when the corpus is not known. */
  readonly unknownNames: readonly string[];
}

/** What reading a question needs from the corpus. */
export interface QuestionContext {
  /** Is the term a proper name in the corpus (written capitalised mid-sentence)? */
  isName(term: string): boolean;
  /** Nouns an adjective of the corpus pertains to ("vietnames" → vietnam), from WordNet. */
  pertainsTo?(term: string): readonly string[];
  /** Does some passage of the corpus use the term? */
  isKnown?(term: string): boolean;
}

function normaliseQuestion(question: string): string {
  let text = question;
  for (const [pattern, alias] of ALIASES) text = text.replace(pattern, (word) => `${word} ${alias}`);
  return text;
}

/** Read a question once. */
export function analyseQuestion(question: string, context: QuestionContext): Question {
  const asked = question.trim();
  const text = normaliseQuestion(asked);
  const termList = terms(text);
  const questionTerms = new Set(termList);
  return {
    asked,
    text,
    termList,
    terms: questionTerms,
    words: contentWords(text),
    type: expectedAnswerType(text),
    focus: askedThingTerms(text, context),
    predicateTerms: new Set(termList.filter((term) => !isTopicTerm(term, context) && !ANSWER_TYPE_WORDS.has(term))),
    topicTerms: new Set(termList.filter((term) => isTopicTerm(term, context))),
    given: new Set([...questionTerms, ...termList.flatMap((term) => context.pertainsTo?.(term) ?? [])]),
    figures: figuresOf(text),
    years: yearsIn(text),
    months: monthsIn(text),
    asksForLatest: asksForLatest(text),
    wordCount: (asked.match(/[\p{L}\p{N}][\p{L}\p{N}'’-]*/gu) ?? []).length,
    namesCorpus: terms(asked).some((term) => context.isName(term)),
    asksHow: ASKS_HOW.test(asked),
    unknownNames: context.isKnown ? unknownNamesOf(asked, (term) => context.isKnown?.(term) ?? true) : [],
  };
}

/**
 * A word written as code or an acronym, at least 4 characters: camelCase ("TypeScript", "fromWeb"),
 * an inner underscore ("Shift_JIS"), letters with digits ("SOCKS5"), or all capitals ("QUIC").
 * Sources name such things exactly as written, so one they never use is one they say nothing about.
 * Shorter ones ("Q1", "v4", "MoU") are often abbreviations the sources spell out.
 */
const NAME_AS_WRITTEN = /^(?=.{4,}$)(?:.*[\p{Ll}][\p{Lu}].*|.+_.+|\p{L}.*\p{N}.*|[\p{Lu}\p{N}]+)$/u;

/** The question's words written as code or acronyms of which some term occurs nowhere in the corpus. */
export function unknownNamesOf(question: string, isKnown: (term: string) => boolean): string[] {
  const words = question.match(/[\p{L}\p{N}_]+/gu) ?? [];
  const named = words.filter((word) => NAME_AS_WRITTEN.test(word) && /\p{L}/u.test(word));
  return [...new Set(named.filter((word) => terms(word).some((term) => !isKnown(term))))];
}

export type AnswerType = 'number' | 'year' | 'time' | 'name' | 'place' | null;

/** What kind of answer the question asks for, from its wording. */
export function expectedAnswerType(question: string): AnswerType {
  const text = question.toLowerCase();
  // The first question word decides: "who was president when Xi visited?" asks for a name, not a date.
  const lead = /\b(who|whom|whose|where|when|why)\b|\b(?:what|which|how)\b/.exec(text);
  if (lead?.[1] === 'when') return 'time';
  if (lead?.[1] === 'why') return null;
  if (
    lead?.[1] === 'where' ||
    /^\W*(?:in|at|near|from|to)\s+(?:which|what)\s+(?:city|town|country|province|region|state|port|place|area|district)\b/.test(text)
  )
    return 'place';
  if (lead?.[1]) return 'name';
  // "What did Vietnam put duties on?" asks for a thing: "what" is the object of the verb.
  const asksForObject = /^\W*(?:what|which)\s+(?:did|does|do|has|have|had|will|would|can|could|should)\b/.test(text);
  if (
    /\bhow (much|many|large|big|long|far|high|old)\b|\b(age|budget|cost|price|population|length|distance|size|worth|salary|capacity)\b(?=\s*(?:of|for|to|is|was|\?|$))|\bwhat (?:[\w-]+ ){0,3}(percentage|share|amount|value|figure|number|rate)\b|\bpercent/.test(
      text,
    )
  )
    return 'number';
  if (!asksForObject && /\b(tariffs?|duties|duty|rate) (on|for)\b/.test(text)) return 'number';
  if (/\b(what|which) years?\b/.test(text)) return 'year';
  if (/\bwhen\b|\b(what|which) (dates?|days?|months?)\b|\byear\b.*\?$/.test(text)) return 'time';
  if (/\bwho\b|\bwhose\b|\bwhich\b|\bwhere\b|\bname\b/.test(text)) return 'name';
  return null;
}

/**
 * The words naming the thing asked for: "which port" → port, "what is the goal of" → goal,
 * "which chinese airline" → chinese, airline. The answer sentence usually names it ("… Haiphong port city").
 * Up to three words after the question word, stopping at the first stop word.
 */
export function focusTerms(question: string): string[] {
  const cleaned = question.replace(/\b(?:kinds?|types?|sorts?) of\b/gi, '');
  // "who is the Chinese foreign ministry spokeswoman who …" → spokeswoman: the role the named answer holds.
  const role = /\bwho(?:\s*['’]s|\s+(?:is|was|are|were))\s+(?:(?:the|a|an)\s+)?([\p{L}\s’'-]+)/iu.exec(cleaned);
  if (role?.[1]) {
    const phrase: string[] = [];
    for (const word of role[1].trim().split(/\s+/).slice(0, 5)) {
      const wordTerms = terms(word);
      if (wordTerms.length === 0) break;
      phrase.push(...wordTerms);
    }
    return phrase.slice(-1);
  }
  // "what is the goal of …" → "goal": skip the verb and article between the question word and the noun,
  // and a count ("which two farm products" → farm, products).
  const match =
    /\b(?:which|what|how many|how much)(?:\s*['’]s\s+|\s+(?:(?:is|are|was|were)\s+)?)(?:(?:the|a|an)\s+)?(?:(?:two|three|four|five|six|seven|eight|nine|ten|\d+)\s+)?([\p{L}\s-]+)/iu.exec(
      cleaned,
    );
  if (!match?.[1]) return [];
  // "what is Vietnam going to use": after "is", a name is the subject, not the thing asked.
  if (/^\W*(?:[Ww]hat|[Ww]hich)\s+(?:is|are|was|were)\s+\p{Lu}/u.test(match[0])) return [];
  const found: string[] = [];
  for (const word of match[1].trim().split(/\s+/).slice(0, 3)) {
    const wordTerms = terms(word);
    if (wordTerms.length === 0) break;
    found.push(...wordTerms);
  }
  return found;
}

/** Nouns that only say what kind of thing the answer is ("which country's vessels" → the answer is a country's name, not "country"). */
const TYPE_NOUNS = new Set(
  terms('country countries city cities person people company companies place places organisation organization group nation nations'),
);

/** Words that name the kind of answer ("what dates", "which year"): the answer-type cue checks them, not coverage. */
const ANSWER_TYPE_WORDS = new Set(terms('year years date dates day days month months time number amount percentage name kind type sort'));

/** The focus words that name the thing asked for: not names ("which Chinese airline" → airline), not type nouns ("which country") or answer types ("what year"). */
function askedThingTerms(question: string, context: Pick<QuestionContext, 'isName'>): string[] {
  return focusTerms(question).filter((term) => !isTopicTerm(term, context) && !TYPE_NOUNS.has(term) && !ANSWER_TYPE_WORDS.has(term));
}

/** Figures and names say what a question is about; the other words say what it asks. */
function isTopicTerm(term: string, context: Pick<QuestionContext, 'isName'>): boolean {
  return /^\p{N}/u.test(term) || context.isName(term);
}
