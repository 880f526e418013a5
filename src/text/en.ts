/**
 * The English word lists the program reads questions and documents with, in one place. None names
 * anything of one corpus: what a corpus's own words are (its names, which adjectives name a place,
 * its first words) is derived from it at ingest (`index/corpus-facts.ts`, the WordNet thesaurus).
 */

/** Capitalised words that are calendar words, titles or function words: never the "who"/"which" asked for. */
export const NEVER_A_NAME: ReadonlySet<string> = new Set(
  (
    'monday tuesday wednesday thursday friday saturday sunday january february march april may june july august september october november december ' +
    'president prime minister premier general secretary deputy foreign chief chairman director minister ' +
    'the a an in on at but and after before during while both this that its his her their it he she they as under one some'
  ).split(' '),
);

/** Other names of the same thing, as English writes it ("America" → "US", "PM" → "Prime Minister"). */
export const ALIASES: readonly (readonly [RegExp, string])[] = [
  [/\bAmerica(?:ns?)?\b/gi, 'US United States'],
  [/\bPMs?\b/g, 'Prime Minister'],
];

// Follow-ups in a conversation (answer/follow-up.ts).

/** Words that point back to a person named before. */
export const PERSON_PRONOUN = /\b(he|she|him|his|her|hers)\b/i;
/** Possessive forms of `PERSON_PRONOUN` / `THING_PRONOUN` (written back as "X's"). */
export const POSSESSIVE_PRONOUN = /^(?:his|hers|its|their)$/i;
/** Words that point back to the thing asked about before ("it", "they", "them"). */
export const THING_PRONOUN = /\b(it|its|they|them|their|those|these)\b/i;
/** "that" / "this" as a pronoun: at the end of a clause, or after a verb or preposition ("was that", "about this"). */
export const DEMONSTRATIVE =
  /\b(?:(?:is|was|are|were|did|does|do|about|of|on|for|with|in|after|before|besides|mean|means|say|said|happen|cause|caused)\s+(that|this)\b|(that|this)\s*(?=[?.!,;]|$))/i;
export const AUXILIARY = /^(?:is|are|was|were|do|does|did|has|have|had|will|would|can|could|should)$/i;
/** "there" as a place, not "there is/are/was" or "is there". */
export const THERE = /(?<!\b(?:is|are|was|were)\s+)\bthere\b(?!\s+(?:is|are|was|were|be|been|will|would|has|have|had)\b)/i;
/** "and Vietnam?", "what about Hanoi?", "how about in Dalian?": the earlier question, about something else (group 1 or 2). */
export const ELLIPSIS = /^\W*(?:and\s+)?(?:what|how)\s+about\s+(.+?)\W*$|^\W*and\s+(.+?)\W*$/i;
/** A preposition left at the end once a pronoun is taken out ("how many of [them]"). */
export const DANGLING_PREPOSITION = /(?:\s+(?:of|to|for|with|about|on|in|at|from|by))+\s*$/i;
/** A question's first word: "and where is it based?" is a question after "and", no "and X?". */
export const QUESTION_START =
  /^(?:who|whom|whose|what|which|when|where|why|how|is|are|was|were|do|does|did|has|have|had|can|could|will|would|should)\b/i;
/** A preposition opening the "X" of "and X?" ("and in Dalian?"): what follows the earlier question's same preposition is replaced. */
export const LEADING_PREPOSITION = /^(in|on|for|to|with|of|from|about|after|before|during|between|against)\s+/i;
/** Prepositions and an article before a bare name ("and for Malaysia?" → Malaysia). */
export const BEFORE_NAME = /^(?:(?:in|on|for|to|with|of|from|about|the)\s+)+/i;
/** The question lead to strip from an earlier question to get what it was about: "when did", "how high are the", "in which city did". */
export const LEAD =
  /^\W*(?:(?:(?:in|on|at|for|from|to|with|by|of|since|until)\s+)?(?:who|whom|whose|what|which|when|where|why|how(?:\s+(?:much|many|high|large|big|long|far|old|steep))?)(?:\s*['’]s)?\s+)?(?:(?:is|are|was|were|do|does|did|has|have|had|will|would|can|could|should)\s+)?(?:(?:the|a|an)\s+)?/i;
/** "who pays for the line?": "who" is the subject, so the verb after it goes too ("the line"). */
export const WHO_AND_VERB =
  /^\W*who\s+(?!(?:is|are|was|were|do|does|did|has|have|had|will|would|can|could|should)\b)[\p{L}'’-]+\s+(?:(?:for|about|on|to|with|in|of|from)\s+)?/iu;
/** A question whose subject is a noun phrase after a form of "be" ("How high are the US tariffs on Vietnam?" → "the US tariffs on Vietnam"). */
export const BE_QUESTION = /^\W*(?:who|what|which|how(?:\s+[\p{L}]+)?)\s+(?:is|are|was|were)\s+(.+?)[\s?.!]*$/iu;
/** A question asking for a person: "he" in the next turn is then the person its answer names. */
export const PERSON_QUESTION = /^\W*(?:who|whom)\b/i;
/** Words that only say what kind of answer is asked for: a follow-up of only these asks about the turn before ("which year exactly?"). */
export const ASKING_WORDS = [
  ...'year years date dates day days month months time exactly again happen happened mean means number amount say said tell more detail details'.split(
    ' ',
  ),
  ...'else besides also much many long old'.split(' '),
];
/**
 * Counts written as words ("would lease two … planes"). In a follow-up asking "how many of them?", one before a word of
 * what the turn before asked about is the number asked for. ("one" is left out: as often a pronoun or an article.)
 */
export const COUNT_WORDS = /\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozen|twenty|thirty|forty|fifty|hundred)\b/gi;

/** A question asking how to do something, or for an example: the code under the answering sentence helps. */
export const ASKS_HOW = /\b(?:examples?|samples?|snippets?|how\s+(?:do|can|could|would|should|to)\b)/i;

/**
 * A sentence that opens by pointing back to the one before it ("It is the preferred way …", "This can
 * be done by …", "In this case, …"): on its own it does not say what it is about.
 */
export const POINTS_BACK = /^\W*(?:this|these|that|those|it|its|they|their|such|in\s+(?:this|that|such|either|both)\s+cases?)\b/i;
