import { terms } from '../text/terms.js';
import type { Citation, ConflictingQuote, Passage, Quote } from '../core/types.js';
import { cosine } from '../core/vectors.js';

/** A sentence of a retrieved passage, with offsets into its document's raw text. */
export interface SentenceCandidate {
  readonly passage: Passage;
  /** 0 for the best passage. */
  readonly passageRank: number;
  /** The sentence's own paragraph (a passage may span several). */
  readonly paragraph: number;
  readonly start: number;
  readonly end: number;
  readonly text: string;
  /** The sentences just before it in its document ('' at the start): news answers often continue them. */
  readonly previous: string;
  /** The sentence right after it in its paragraph ('' at the end): part of the evidence that the passage answers. */
  readonly following?: string;
  readonly vector: Float32Array;
  /**
   * The sentence's terms (with its article's date terms), with the sentences before it, and with
   * the one after it too, when precomputed (the engine keeps them per index snapshot). Used only
   * when `date` is the passage's date.
   */
  readonly termSets?: SentenceTermSets;
}

export interface SentenceTermSets {
  readonly date: string | null;
  readonly own: ReadonlySet<string>;
  readonly withPrevious: ReadonlySet<string>;
  readonly around: ReadonlySet<string>;
}

/** The question as the scorer sees it. */
export interface QuestionView {
  readonly text: string;
  readonly vector: Float32Array;
  /** Index terms of the question. */
  readonly terms: ReadonlySet<string>;
}

/** Corpus statistics the scorer needs: term specificity and the embedding of each term's word. */
export interface Lexicon {
  idf(term: string): number;
  vectorOf(term: string): Float32Array | undefined;
  /** Is the term a proper name in the corpus (written capitalised mid-sentence)? Names say what a question is about, not what it asks. */
  isName?(term: string): boolean;
  /** Does the corpus use the term at all? Unknown words may be typos ("ambasador"). */
  isKnown?(term: string): boolean;
  /** `terms(text)`, when the caller keeps them (e.g. per index snapshot); otherwise memoised per lexicon. */
  terms?(text: string): readonly string[];
  /** Corpus terms that are a kind or an instance of the term (WordNet: "port" → "haiphong"). */
  kindsOf?(term: string): ReadonlySet<string>;
  /** Corpus terms sharing a usual sense with the term (WordNet: "speed" → "acceler"). */
  synonymsOf?(term: string): readonly string[];
  /** Nouns an adjective of the corpus pertains to ("vietnames" → vietnam), from WordNet. */
  pertainsTo?(term: string): readonly string[];
}

export interface QuoteSettings {
  /** Weights of the sentence score. */
  readonly coverageWeight: number;
  readonly contextWeight: number;
  /** Weight of the sentence's closeness in meaning to the question, relative to the closest candidate (`meaning`). */
  readonly meaningWeight: number;
  /** How far below the closest candidate's similarity `meaning` reaches 0. */
  readonly meaningSpread: number;
  readonly passageWeight: number;
  readonly cueWeight: number;
  readonly focusWeight: number;
  /**
   * When the best sentence lacks what the question asks for (a number, date or name; the focus
   * word) and one of the next sentences of its document supplies it, scoring at least this share
   * of the best, that one is quoted first: news often restates the question, then answers it.
   * Above 1: off.
   */
  readonly completionRatio: number;
  /** How many sentences after the best one may complete it. */
  readonly completionWindow: number;
  /** A question word counts as softly matched by a sentence word at least this similar. */
  readonly softMatchFrom: number;
  /** A sentence naming a kind of the focus word ("which port" → Haiphong, per WordNet) has the focus and the cue. */
  readonly kindMatching: boolean;
  /** Below this evidence the engine abstains. */
  readonly minEvidence: number;
  /** A second quote is added when it scores at least this share of the best. */
  readonly secondQuoteRatio: number;
  /** Term overlap (Jaccard) from which a sentence of another document corroborates the quote. */
  readonly corroborationOverlap: number;
  /** Similarity from which a question word counts as matched by a near-synonym in the evidence (abstention) check. */
  readonly evidenceSoftFrom: number;
  /** How much a WordNet synonym of a question word counts in the evidence check (0: not at all). */
  readonly evidenceSynonymStrength: number;
  /** Weights of the evidence: what the question asks (predicate words), what it is about (names, figures), embedding similarity. */
  readonly evidencePredicateWeight: number;
  readonly evidenceTopicWeight: number;
  readonly evidenceDenseWeight: number;
  /** Evidence is multiplied by this when the question asks for a number, date or name and the sentence has none. */
  readonly missingCuePenalty: number;
  /** A sentence of another document with at least this share of the quote's evidence, stating a different ordinal or figure, is shown as a conflict. */
  readonly conflictRatio: number;
  /** A sentence of another document must have at least this share of the quote's evidence to corroborate it. */
  readonly corroborationRatio: number;
}

export const DEFAULT_QUOTE_SETTINGS: QuoteSettings = {
  coverageWeight: 0.5,
  contextWeight: 0.15,
  meaningWeight: 0,
  meaningSpread: 0.15,
  passageWeight: 0.15,
  cueWeight: 0.05,
  focusWeight: 0.1,
  completionRatio: 0.4,
  completionWindow: 3,
  softMatchFrom: 1,
  kindMatching: true,
  minEvidence: 0.335,
  secondQuoteRatio: 0.9,
  corroborationOverlap: 0.4,
  evidenceSoftFrom: 0.8,
  evidenceSynonymStrength: 0.8,
  evidencePredicateWeight: 0.5,
  evidenceTopicWeight: 0,
  evidenceDenseWeight: 0.3,
  missingCuePenalty: 0.5,
  conflictRatio: 0.9,
  corroborationRatio: 0.7,
};

export interface SentenceFeatures {
  /** Share of the question's idf mass matched in the sentence, exactly or by a near-synonym (weighted by similarity). */
  readonly coverage: number;
  /** Extra share matched only by the sentence before it. */
  readonly context: number;
  /** Cosine of sentence and question embeddings. */
  readonly similarity: number;
  /** `similarity` relative to the most similar candidate: 1 for it, down to 0 at `meaningSpread` below it. */
  readonly meaning: number;
  /** Fused score of its passage relative to the best passage. */
  readonly passage: number;
  /** The sentence has what the question asks for (a number for "how many", a date for "when"...). */
  readonly cue: boolean;
  /** How well the sentence names the thing asked for ("which port" → "port"), 0 when the question has no such word. */
  readonly focus: number;
  /**
   * Share of the idf mass of the question's predicate words (not names, not figures: "born", "old",
   * "passengers") matched by the sentence or its context, exactly or by a near-synonym; 1 when the question has none.
   */
  readonly predicate: number;
  /** Share of the idf mass of the question's names and figures matched by the sentence or its context; 1 when none. */
  readonly topic: number;
  /** Whether the question asks for a number, date or name at all (so a missing cue counts against it). */
  readonly wantsCue: boolean;
  /** Whether the question names the thing asked for (a focus word). */
  readonly wantsFocus?: boolean;
}

export interface ScoredSentence extends SentenceCandidate {
  readonly features: SentenceFeatures;
  readonly score: number;
}

export interface QuoteDecision {
  readonly answered: boolean;
  readonly quotes: Quote[];
  /** The evidence of the best sentence; compared with `minEvidence`. */
  readonly evidence: number;
  /** Every candidate sentence with its score, best first (for `eval --explain`). */
  readonly ranked: readonly ScoredSentence[];
}

type AnswerType = 'number' | 'year' | 'time' | 'name' | 'place' | null;

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

/** A wire-story dateline opening a lead sentence: "HANOI: ", "Dalian, The Gulf Observer: ", "BEIJING (Reuters) - ". */
const DATELINE = /^\s*\p{Lu}[\p{L}.'’ -]{1,40}(?:,\s*\p{Lu}[\p{L}.'’ -]{1,40})?\s*(?::|\([^)]{1,40}\)\s*[-–—])\s+/u;
/** A cheap test before the dateline pattern: a colon or parenthesis near the start. */
function mayHaveDateline(sentence: string): boolean {
  const colon = sentence.indexOf(':');
  const parenthesis = sentence.indexOf('(');
  return (colon > 0 && colon < 90) || (parenthesis > 0 && parenthesis < 90);
}
/** A capitalised word after a preposition of place. */
const PLACE_NAME = /\b(?:in|at|near|from|to|into|inside|outside|across|visiting)\s+(?:the\s+)?(\p{Lu}[\p{L}’'-]+)/gu;
/** "April 15 to 18", "15 April", "Dec. 12-14": days of a month. */
const DAYS_OF_MONTH =
  /\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}(?:\s*(?:to|-|–|and)\s*\d{1,2})?\b|\b\d{1,2}(?:\s*(?:to|-|–)\s*\d{1,2})?\s+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\b/g;
const YEAR = /\b(?:1[89]|20)\d{2}\b/g;
const MONTH_OR_DAY =
  /\b(January|February|March|April|May|June|July|August|September|October|November|December|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b/g;
/** Time said relatively: "the day before Xi arrived", "two months ago", "last week". */
const RELATIVE_TIME =
  /\b(?:days?|weeks?|months?|years?) (?:before|after|earlier|later|ago)\b|\bago\b|\b(?:yesterday|tomorrow|(?:last|next) (?:week|month|year))\b/gi;
/** Capitalised words that are titles, nationalities or calendar words: never the "who"/"which" asked for. */
const NOT_A_NAME = new Set(
  (
    'monday tuesday wednesday thursday friday saturday sunday january february march april may june july august september october november december ' +
    'chinese vietnamese american asian european southeast communist president prime minister premier general secretary deputy foreign ' +
    'the a an in on at but and after before during while both this that its his her their it he she they as under one some'
  ).split(' '),
);

/**
 * Does the sentence hold something of the asked type that the question does not already say?
 * `given`: the question's terms, and what its adjectives name ("Vietnamese" gives "Vietnam").
 */
function hasCue(type: AnswerType, sentence: string, given: ReadonlySet<string>): boolean {
  const isNew = (found: string) => !terms(found).every((term) => given.has(term));
  switch (type) {
    case 'number':
      // Whole numbers only: "C909" in the question is not a new number "909".
      // Nor is a year or a day of the month a count: "how many soldiers died in 1988?" is not
      // answered by "… in 1974", nor "how long since his last trip?" by "from April 15 to 18".
      return (
        ((/\d/.test(sentence) ? sentence.replace(DAYS_OF_MONTH, ' ') : sentence).match(/(?<![\p{L}\p{N}])\d[\d.,]*%?/gu) ?? []).some(
          (found) => isNew(found) && !/^(?:1[89]|20)\d{2}$/.test(found),
        ) || /\b(dozens|hundreds|thousands|millions|billions)\b/i.test(sentence)
      );
    case 'year':
      return (sentence.match(YEAR) ?? []).some(isNew);
    case 'time':
      return [...(sentence.match(YEAR) ?? []), ...(sentence.match(MONTH_OR_DAY) ?? []), ...(sentence.match(RELATIVE_TIME) ?? [])].some(
        isNew,
      );
    case 'name':
    case 'place': {
      // A capitalised word after the first one, not in the question: a person, place or organisation;
      // for "where", one after a preposition of place ("talks in Dalian City", not "Prime Minister Chính of Vietnam").
      // Not the dateline's: "Dalian, The Gulf Observer: …" says where it was filed, not where the talks were.
      const body = (mayHaveDateline(sentence) ? sentence.replace(DATELINE, '') : sentence).slice(1);
      const names =
        type === 'place' ? [...body.matchAll(PLACE_NAME)].map((match) => match[1] ?? '') : (body.match(/\b\p{Lu}[\p{L}’'-]+/gu) ?? []);
      return names.some((word) => !NOT_A_NAME.has(word.toLowerCase().replace(/[’'].*$/, '')) && isNew(word));
    }
    default:
      return false;
  }
}

const MONTH_NAMES = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];

/** Index terms of a document date ("2023-12-12" → 2023, december, dec): a question's "in Dec 2023" is said by the article's date. */
export function dateTerms(date: string | null): string[] {
  if (!date) return [];
  const [year, month] = date.split('-');
  const name = MONTH_NAMES[Number(month) - 1];
  return terms([year, name, name?.slice(0, 3), name === 'september' ? 'sept' : ''].filter(Boolean).join(' '));
}

/** Levenshtein distance, giving up (returning limit + 1) once it exceeds `limit`. */
function editDistance(left: string, right: string, limit: number): number {
  if (Math.abs(left.length - right.length) > limit) return limit + 1;
  let previous = Array.from({ length: right.length + 1 }, (_, index) => index);
  for (let i = 1; i <= left.length; i++) {
    const current = [i];
    let rowBest = i;
    for (let j = 1; j <= right.length; j++) {
      const cost = left[i - 1] === right[j - 1] ? 0 : 1;
      const value = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
      current.push(value);
      rowBest = Math.min(rowBest, value);
    }
    if (rowBest > limit) return limit + 1;
    previous = current;
  }
  return previous[right.length] ?? limit + 1;
}

/** A word the corpus never uses but one edit from a word the sentence has ("ambasador") is a typo of it. */
function typoMatch(term: string, candidateTerms: ReadonlySet<string>): boolean {
  if (term.length < 5 || /\d/.test(term)) return false;
  const limit = term.length >= 8 ? 2 : 1;
  for (const candidate of candidateTerms) {
    if (candidate[0] === term[0] && editDistance(term, candidate, limit) <= limit) return true;
  }
  return false;
}

/**
 * Share of the question's idf mass that `candidateTerms` match: exactly (1), or through the most
 * similar word when it is at least `softFrom` similar (its similarity), so paraphrases count partly.
 */
export function softCoverage(
  questionTerms: ReadonlySet<string>,
  candidateTerms: ReadonlySet<string>,
  lexicon: Lexicon,
  softFrom: number,
  synonymStrength = 0,
): number {
  let total = 0;
  let found = 0;
  for (const term of questionTerms) {
    const weight = lexicon.idf(term);
    total += weight;
    found += weight * matchStrength(term, candidateTerms, lexicon, softFrom, synonymStrength);
  }
  return total > 0 ? found / total : 0;
}

/** Typo matches count a little less than exact ones. */
const TYPO_STRENGTH = 0.9;

function matchStrength(term: string, candidateTerms: ReadonlySet<string>, lexicon: Lexicon, softFrom: number, synonymStrength = 0): number {
  if (candidateTerms.has(term)) return 1;
  if (lexicon.isKnown && !lexicon.isKnown(term) && typoMatch(term, candidateTerms)) return TYPO_STRENGTH;
  if (synonymStrength > 0 && lexicon.synonymsOf?.(term).some((synonym) => candidateTerms.has(synonym))) return synonymStrength;
  if (softFrom >= 1) return 0;
  const vector = lexicon.vectorOf(term);
  if (!vector) return 0;
  // Word pairs recur across sentences and questions: each cosine is computed once per pair of
  // vectors (corpus words keep theirs for the index snapshot), keyed by the vectors themselves.
  let cache = similarityCaches.get(vector);
  if (!cache) similarityCaches.set(vector, (cache = new WeakMap()));
  let best = 0;
  for (const candidate of candidateTerms) {
    const other = lexicon.vectorOf(candidate);
    if (!other) continue;
    let similarity = cache.get(other);
    if (similarity === undefined) {
      cache.set(other, (similarity = cosine(vector, other)));
      // A long-running bot meets ever new pairs: start over past a bound.
      if (++similarityCount > SIMILARITY_CACHE_LIMIT) {
        similarityCaches = new WeakMap();
        similarityCount = 0;
      }
    }
    if (similarity > best) best = similarity;
  }
  return best >= softFrom ? best : 0;
}

let similarityCaches = new WeakMap<Float32Array, WeakMap<Float32Array, number>>();
let similarityCount = 0;
const SIMILARITY_CACHE_LIMIT = 1_000_000;
const termCaches = new WeakMap<Lexicon, Map<string, readonly string[]>>();

/** `terms(text)`, from the lexicon when it keeps them, else memoised per lexicon (one question): a sentence is also its neighbours' context. */
function termsCached(text: string, lexicon: Lexicon): readonly string[] {
  if (lexicon.terms) return lexicon.terms(text);
  let cache = termCaches.get(lexicon);
  if (!cache) termCaches.set(lexicon, (cache = new Map()));
  let found = cache.get(text);
  if (!found) cache.set(text, (found = terms(text)));
  return found;
}

/** Nouns that only say what kind of thing the answer is ("which country's vessels" → the answer is a country's name, not "country"). */
const TYPE_NOUNS = new Set(
  terms('country countries city cities person people company companies place places organisation organization group nation nations'),
);

/** Words that name the kind of answer ("what dates", "which year"): the answer-type cue checks them, not coverage. */
const ANSWER_TYPE_WORDS = new Set(terms('year years date dates day days month months time number amount percentage name kind type sort'));

/** The focus words that name the thing asked for: not names ("which Chinese airline" → airline), not type nouns ("which country") or answer types ("what year"). */
export function askedThingTerms(question: string, lexicon: Pick<Lexicon, 'isName'>): string[] {
  return focusTerms(question).filter((term) => !isTopicTerm(term, lexicon) && !TYPE_NOUNS.has(term) && !ANSWER_TYPE_WORDS.has(term));
}

/** Figures and names say what a question is about; the other words say what it asks. */
function isTopicTerm(term: string, lexicon: Pick<Lexicon, 'isName'>): boolean {
  return /^\p{N}/u.test(term) || (lexicon.isName?.(term) ?? false);
}

/** Features of one candidate sentence; pure, so `eval --explain` and tuning see exactly what ranking saw. */
export function sentenceFeatures(
  question: QuestionView,
  sentence: SentenceCandidate,
  bestPassageScore: number,
  lexicon: Lexicon,
  settings: QuoteSettings,
): Omit<SentenceFeatures, 'meaning'> {
  // The article's date is part of what a sentence says: "in December 2023" is answered by a sentence of the 2023-12 article.
  const { own, withPrevious, around } = termSetsOf(sentence, lexicon);
  const coverage = softCoverage(question.terms, own, lexicon, settings.softMatchFrom);
  const withContext = withPrevious === own ? coverage : softCoverage(question.terms, withPrevious, lexicon, settings.softMatchFrom);
  const { predicateTerms, topicTerms, type, focus, given } = analyse(question, lexicon);
  const namesKind = settings.kindMatching && focus.some((term) => namesKindOf(term, sentence, question.terms, lexicon));
  return {
    coverage,
    context: Math.max(0, withContext - coverage),
    similarity: cosine(question.vector, sentence.vector),
    passage: bestPassageScore > 0 ? sentence.passage.score / bestPassageScore : 0,
    // A kind named answers "which …" questions, never "how many" or "when".
    cue: hasCue(type, sentence.text, given) || (namesKind && (type === 'name' || type === 'place' || type === null)),
    focus: namesKind ? 1 : Math.max(0, ...focus.map((term) => matchStrength(term, own, lexicon, Math.min(settings.softMatchFrom, 0.7)))),
    // A kind named ("frozen durian" for "which produce") says the thing asked for, as the word itself would.
    predicate: predicateTerms.size
      ? softCoverage(
          predicateTerms,
          namesKind ? new Set([...around, ...focus]) : around,
          lexicon,
          Math.min(settings.softMatchFrom, settings.evidenceSoftFrom),
          settings.evidenceSynonymStrength,
        )
      : 1,
    topic: topicTerms.size ? softCoverage(topicTerms, around, lexicon, 1) : 1,
    wantsCue: type !== null,
    wantsFocus: focus.length > 0,
  };
}

/**
 * Does the sentence name something that is a kind of the focus word, which the question does not
 * already say ("which port" → "… Haiphong port city", "which produce" → "durian")? A kind may be
 * a word pair ("what type of railway" → "standard gauge").
 */
function namesKindOf(focus: string, sentence: SentenceCandidate, questionTerms: ReadonlySet<string>, lexicon: Lexicon): boolean {
  const kinds = lexicon.kindsOf?.(focus);
  if (!kinds || kinds.size === 0) return false;
  const sentenceTerms = termsCached(sentence.text, lexicon);
  return sentenceTerms.some((term, index) => {
    if (kinds.has(term) && !questionTerms.has(term)) return true;
    const next = sentenceTerms[index + 1];
    return next !== undefined && kinds.has(`${term}_${next}`) && !(questionTerms.has(term) && questionTerms.has(next));
  });
}

function termSetsOf(sentence: SentenceCandidate, lexicon: Lexicon): Omit<SentenceTermSets, 'date'> {
  if (sentence.termSets && sentence.termSets.date === sentence.passage.date) return sentence.termSets;
  const own = new Set([...termsCached(sentence.text, lexicon), ...dateTerms(sentence.passage.date)]);
  const withPrevious = sentence.previous ? new Set([...own, ...termsCached(sentence.previous, lexicon)]) : own;
  const around = sentence.following ? new Set([...withPrevious, ...termsCached(sentence.following, lexicon)]) : withPrevious;
  return { own, withPrevious, around };
}

interface QuestionAnalysis {
  readonly predicateTerms: ReadonlySet<string>;
  readonly topicTerms: ReadonlySet<string>;
  readonly type: AnswerType;
  /** Focus words, without names ("which Chinese airline" → airline) and type nouns ("which country"). */
  readonly focus: readonly string[];
  /** What the question already says, so no answer: its terms and the nouns its adjectives pertain to. */
  readonly given: ReadonlySet<string>;
}

const analyses = new WeakMap<QuestionView, QuestionAnalysis>();

/** What the features need from the question, worked out once per question. */
function analyse(question: QuestionView, lexicon: Lexicon): QuestionAnalysis {
  let found = analyses.get(question);
  if (!found) {
    found = {
      predicateTerms: new Set([...question.terms].filter((term) => !isTopicTerm(term, lexicon) && !ANSWER_TYPE_WORDS.has(term))),
      topicTerms: new Set([...question.terms].filter((term) => isTopicTerm(term, lexicon))),
      type: expectedAnswerType(question.text),
      focus: askedThingTerms(question.text, lexicon),
      given: new Set([...question.terms, ...[...question.terms].flatMap((term) => lexicon.pertainsTo?.(term) ?? [])]),
    };
    analyses.set(question, found);
  }
  return found;
}

export function scoreSentence(features: SentenceFeatures, settings: QuoteSettings): number {
  return (
    settings.coverageWeight * features.coverage +
    settings.contextWeight * features.context +
    settings.meaningWeight * features.meaning +
    settings.passageWeight * features.passage +
    settings.cueWeight * (features.cue ? 1 : 0) +
    settings.focusWeight * features.focus
  );
}

function jaccard(left: ReadonlySet<string>, right: ReadonlySet<string>): number {
  let shared = 0;
  for (const term of left) if (right.has(term)) shared++;
  const union = left.size + right.size - shared;
  return union > 0 ? shared / union : 0;
}

function citationOf(sentence: SentenceCandidate): Citation {
  const { source, title, date, chunkId } = sentence.passage;
  return { source, title, date, paragraph: sentence.paragraph, chunkId, start: sentence.start, end: sentence.end };
}

/** Newer first; undated last. */
function byDateDescending(left: { date: string | null }, right: { date: string | null }): number {
  return (right.date ?? '').localeCompare(left.date ?? '');
}

/** Figures a sentence states, normalised: "$31.4 billion" → 31.4billion, "145%" → 145%, "1,000" → 1000. */
export function figuresOf(text: string): Set<string> {
  const found = text.match(/\d[\d,]*(?:\.\d+)?(?:\s?(?:%|percent\b|per cent\b|billion\b|million\b|trillion\b))?/gi) ?? [];
  return new Set(
    found.map((figure) =>
      figure
        .toLowerCase()
        .replace(/,(?=\d{3})/g, '')
        .replace(/\s+/g, '')
        .replace(/percent|percent/, '%'),
    ),
  );
}

const ORDINALS = /\b(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|\d+(?:st|nd|rd|th))\b/gi;

/**
 * What a sentence claims that could contradict another source: its leading ordinal ("his second
 * in less than 18 months"; later ones usually qualify something else, "the first Trump
 * administration") and its figures.
 */
function claimsOf(text: string): { ordinals: Set<string>; figures: Set<string> } {
  const lead = text.match(ORDINALS)?.[0]?.toLowerCase();
  return { ordinals: new Set(lead ? [lead] : []), figures: figuresOf(text) };
}

type FigureKind = 'percent' | 'money' | 'year' | 'count';
const FIGURE_KINDS: readonly FigureKind[] = ['percent', 'money', 'year', 'count'];

function kindOf(figure: string): FigureKind {
  if (figure.endsWith('%')) return 'percent';
  if (/(billion|million|trillion)$/.test(figure)) return 'money';
  if (/^(1[89]|20)\d{2}$/.test(figure)) return 'year';
  return 'count';
}

function ofKind(figures: ReadonlySet<string>, kind: FigureKind): Set<string> {
  return new Set([...figures].filter((figure) => kindOf(figure) === kind));
}

function disjoint(left: ReadonlySet<string>, right: ReadonlySet<string>): boolean {
  return left.size > 0 && right.size > 0 && [...left].every((value) => !right.has(value));
}

/**
 * Sentences of other documents that answer the question about as well as the quote (score at
 * least `conflictRatio` of it) but state a different ordinal or figure: "his first visit since
 * 2017" against "his second in less than 18 months". One per document, best first.
 */
function conflictsWith(
  sentence: ScoredSentence,
  ranked: readonly ScoredSentence[],
  agreeing: readonly ScoredSentence[],
  settings: QuoteSettings,
  lexicon: Lexicon,
): ConflictingQuote[] {
  const own = claimsOf(sentence.text);
  const agreeingSources = new Set(agreeing.map((member) => member.passage.source));
  const perDocument = new Map<string, ConflictingQuote>();
  const evidence = evidenceOf(sentence.features, settings);
  for (const other of ranked.slice(0, CONFLICT_CANDIDATES)) {
    // Another source that answers the question about as well as the quote does.
    if (evidenceOf(other.features, settings) < settings.conflictRatio * evidence) continue;
    if (agreeingSources.has(other.passage.source) || perDocument.has(other.passage.source)) continue;
    const theirs = claimsOf(other.text);
    // Figures conflict only between sentences on the same subject (shared words) and of the same kind (a percentage against a percentage).
    const sameSubject =
      jaccard(new Set(termsCached(sentence.text, lexicon)), new Set(termsCached(other.text, lexicon))) >= settings.corroborationOverlap / 2;
    const differs =
      disjoint(own.ordinals, theirs.ordinals) ||
      (own.ordinals.size === 0 &&
        theirs.ordinals.size === 0 &&
        sameSubject &&
        FIGURE_KINDS.some((kind) => disjoint(ofKind(own.figures, kind), ofKind(theirs.figures, kind))));
    if (differs) perDocument.set(other.passage.source, { ...citationOf(other), text: other.text });
  }
  return [...perDocument.values()];
}

/** How many of the best-ranked sentences are checked for a conflicting statement. */
const CONFLICT_CANDIDATES = 10;

/**
 * How many of the best-ranked sentences may carry the evidence. With 3, a sentence unrelated to
 * the answer often carried it: abstained −4.3, −5, −5 points on sets A, B, C, for one answerable
 * question more on set D.
 */
const EVIDENCE_SENTENCES = 2;

/**
 * Score every sentence of the retrieved passages against the question and pick the one or two
 * that answer it, verbatim, each with every other document that states the same (corroboration).
 * Abstains when the best evidence is below `settings.minEvidence`.
 */
export function selectQuotes(
  question: QuestionView,
  sentences: readonly SentenceCandidate[],
  lexicon: Lexicon,
  settings: QuoteSettings = DEFAULT_QUOTE_SETTINGS,
): QuoteDecision {
  const bestPassageScore = Math.max(1e-9, ...sentences.map((sentence) => sentence.passage.score));
  const termCache = new Map<string, Set<string>>();
  const termsOf = (sentence: SentenceCandidate): Set<string> => {
    let found = termCache.get(sentence.text);
    if (!found) termCache.set(sentence.text, (found = new Set(termsCached(sentence.text, lexicon))));
    return found;
  };
  const featured = sentences.map((sentence) => ({
    sentence,
    features: sentenceFeatures(question, sentence, bestPassageScore, lexicon, settings),
  }));
  // Closeness in meaning is relative: 1 for the candidate most similar to the question, 0 for one `meaningSpread` below it.
  const bestSimilarity = Math.max(0, ...featured.map(({ features }) => features.similarity));
  const ranked: ScoredSentence[] = featured
    .map(({ sentence, features: own }) => {
      const features = { ...own, meaning: Math.max(0, 1 - (bestSimilarity - own.similarity) / settings.meaningSpread) };
      return { ...sentence, features, score: scoreSentence(features, settings) };
    })
    .sort((left, right) => right.score - left.score);

  const best = completionOf(ranked, sentences, settings) ?? ranked[0];
  // The sources say it when one of the best few sentences, read with its neighbours, has what the question asks.
  const evidence = Math.max(0, ...ranked.slice(0, EVIDENCE_SENTENCES).map((sentence) => evidenceOf(sentence.features, settings)));
  if (!best || evidence < settings.minEvidence) return { answered: false, quotes: [], evidence, ranked };

  const chosen = [best];
  const runnerUp = ranked.find((sentence) => !sameSpan(sentence, best) && sentence.passage.source === best.passage.source);
  if (runnerUp && runnerUp.score >= settings.secondQuoteRatio * best.score) chosen.push(runnerUp);

  const questionFigures = figuresOf(question.text);
  const quotes = chosen.map((sentence): Quote => {
    const own = termsOf(sentence);
    const ownFigures = [...figuresOf(sentence.text)].filter((figure) => !questionFigures.has(figure));
    const agrees = (other: ScoredSentence) => {
      if (
        other.passage.source === sentence.passage.source ||
        evidenceOf(other.features, settings) < settings.corroborationRatio * evidenceOf(sentence.features, settings)
      )
        return false;
      // "His first visit" and "his second" share most words but do not agree.
      if (disjoint(claimsOf(sentence.text).ordinals, claimsOf(other.text).ordinals)) return false;
      const overlap = jaccard(own, termsOf(other));
      if (overlap >= settings.corroborationOverlap) return true;
      // The same figure (not one the question gave) in a sentence on the same subject: "145%" in two articles.
      const otherFigures = figuresOf(other.text);
      return overlap >= settings.corroborationOverlap / 4 && ownFigures.some((figure) => otherFigures.has(figure));
    };
    // One citation per other document: its best sentence.
    const perDocument = new Map<string, ScoredSentence>();
    for (const other of ranked) if (agrees(other) && !perDocument.has(other.passage.source)) perDocument.set(other.passage.source, other);
    const group = [sentence, ...perDocument.values()];
    // The headline is the newest statement of the fact; the others are listed as agreeing sources.
    const headline = [...group].sort((left, right) => byDateDescending(left.passage, right.passage))[0] ?? sentence;
    const conflicts = conflictsWith(sentence, ranked, group, settings, lexicon);
    return {
      ...citationOf(headline),
      text: headline.text,
      score: headline === sentence ? sentence.score : Math.min(sentence.score, headline.score),
      alsoIn: group.filter((member) => member !== headline).map(citationOf),
      ...(conflicts.length ? { conflicts } : {}),
    };
  });
  return { answered: true, quotes, evidence, ranked };
}

/** Focus matched at least this well counts as naming the thing asked for. */
const FOCUS_FOUND = 0.5;

function lacks(features: SentenceFeatures): { cue: boolean; focus: boolean } {
  return { cue: features.wantsCue && !features.cue, focus: (features.wantsFocus ?? false) && features.focus < FOCUS_FOUND };
}

/**
 * The sentence that completes the best one: when the best lacks the asked-for number, date, name
 * or focus word, the first of the next `completionWindow` sentences of its document that has it
 * and lacks nothing else, if it scores at least `completionRatio` of the best; else any sentence
 * of its document scoring at least `secondQuoteRatio` of the best that lacks nothing. Null when
 * there is none (or the rule is off).
 */
export function completionOf(
  ranked: readonly ScoredSentence[],
  sentences: readonly SentenceCandidate[],
  settings: QuoteSettings,
): ScoredSentence | null {
  const best = ranked[0];
  const ratio = settings.completionRatio;
  if (!best || ratio > 1) return null;
  const missing = lacks(best.features);
  if (!missing.cue && !missing.focus) return null;
  // The sentences after the best one in its document, among the candidates, in document order.
  const window = settings.completionWindow;
  const following = sentences
    .filter((sentence) => sentence.passage.source === best.passage.source && sentence.start >= best.end)
    .sort((left, right) => left.start - right.start)
    .slice(0, window);
  // The nearest one that answers: the sentence right after a restatement usually continues it.
  for (const sentence of following) {
    const candidate = ranked.find((scored) => sameSpan(scored, sentence));
    if (!candidate || candidate.score < ratio * best.score) continue;
    const gaps = lacks(candidate.features);
    if (!gaps.cue && !gaps.focus) return candidate;
  }
  // Or one further on that would be quoted second anyway ("… the country's primary northern
  // port." then, two paragraphs later, "… Vietnam's Haiphong port city."): the two swap places.
  for (const candidate of ranked.slice(1)) {
    if (candidate.score < settings.secondQuoteRatio * best.score) break;
    if (candidate.passage.source !== best.passage.source) continue;
    const gaps = lacks(candidate.features);
    if (!gaps.cue && !gaps.focus) return candidate;
  }
  return null;
}

/**
 * How sure we are that the sentence answers the question. Names and figures only say what the
 * question is about ("how old is To Lam?" shares "Lam" with many sentences); the predicate words
 * ("old", "born", "passengers") must be there too, exactly or as near-synonyms. A question asking
 * for a number, date or name whose sentence has none is discounted.
 */
export function evidenceOf(
  features: Pick<SentenceFeatures, 'predicate' | 'topic' | 'similarity' | 'cue' | 'wantsCue'>,
  settings: QuoteSettings = DEFAULT_QUOTE_SETTINGS,
): number {
  const { predicate, topic, similarity, cue, wantsCue } = features;
  const evidence =
    settings.evidencePredicateWeight * predicate +
    settings.evidenceTopicWeight * topic +
    settings.evidenceDenseWeight * Math.max(0, similarity);
  return wantsCue && !cue ? evidence * settings.missingCuePenalty : evidence;
}

function sameSpan(left: SentenceCandidate, right: SentenceCandidate): boolean {
  return left.passage.source === right.passage.source && left.start === right.start;
}

/** A sentence of the corpus with its citation, e.g. one stating a distinctive figure. */
export type CitedSentence = ConflictingQuote;

/** Figures specific enough that two articles stating them state the same fact: percentages and money. */
export function distinctiveFigures(text: string): string[] {
  return [...figuresOf(text)].filter((figure) => kindOf(figure) === 'percent' || kindOf(figure) === 'money');
}

/** Sentences checked for corroboration per quote: each costs a tokenization. */
const CORROBORATION_CANDIDATES = 500;

/** Sentences that state figures, and where each figure is stated (positions in `sentences`, ascending). */
export interface FigureIndex {
  readonly sentences: readonly CitedSentence[];
  readonly byFigure: ReadonlyMap<string, readonly number[]>;
}

/** Index sentences by the figures they state, so corroboration reads a figure's few sentences, not the corpus. */
export function indexFigures(sentences: readonly CitedSentence[]): FigureIndex {
  const byFigure = new Map<string, number[]>();
  sentences.forEach((sentence, position) => {
    for (const figure of figuresOf(sentence.text)) {
      const positions = byFigure.get(figure);
      if (positions) positions.push(position);
      else byFigure.set(figure, [position]);
    }
  });
  return { sentences, byFigure };
}

/**
 * Corroboration beyond the retrieved passages: other documents with a sentence that states the
 * quote's distinctive figure (a percentage or an amount the question did not give) and shares at
 * least `minSharedTerms` other words with it, e.g. "145%" in two articles. Adds them to `alsoIn`
 * and makes the newest statement the headline.
 */
export function corroborateByFigures(quote: Quote, question: string, pool: FigureIndex, minSharedTerms = 2): Quote {
  const given = figuresOf(question);
  const figures = distinctiveFigures(quote.text).filter((figure) => !given.has(figure));
  if (figures.length === 0) return quote;
  const cited = new Set([quote.source, ...quote.alsoIn.map((citation) => citation.source)]);
  const own = new Set(terms(quote.text));
  const added = new Map<string, CitedSentence>();
  // In corpus order, as a scan of every sentence would meet them; a figure stated in thousands of
  // sentences (a large archive) is checked in its first CORROBORATION_CANDIDATES only.
  const positions = [...new Set(figures.flatMap((figure) => pool.byFigure.get(figure) ?? []))]
    .sort((left, right) => left - right)
    .slice(0, CORROBORATION_CANDIDATES);
  for (const position of positions) {
    const sentence = pool.sentences[position] as CitedSentence;
    if (cited.has(sentence.source) || added.has(sentence.source)) continue;
    const shared = new Set(terms(sentence.text).filter((term) => own.has(term) && !/^\p{N}/u.test(term)));
    if (shared.size >= minSharedTerms) added.set(sentence.source, sentence);
  }
  if (added.size === 0) return quote;
  const { text, alsoIn, conflicts, score, ...citation } = quote;
  const members: CitedSentence[] = [{ ...citation, text }, ...alsoIn.map((member) => ({ ...member, text: '' })), ...added.values()];
  const headline = [...members].sort(byDateDescending)[0] ?? members[0];
  if (!headline || headline.text === '') return { ...quote, alsoIn: [...alsoIn, ...[...added.values()].map(citationOnly)] };
  return {
    ...citationOnly(headline),
    text: headline.text,
    score,
    alsoIn: members.filter((member) => member !== headline).map(citationOnly),
    ...(conflicts ? { conflicts } : {}),
  };
}

function citationOnly(sentence: Citation): Citation {
  const { source, title, date, paragraph, chunkId, start, end } = sentence;
  return { source, title, date, paragraph, chunkId, start, end };
}
