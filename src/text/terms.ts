import { createRequire } from 'node:module';
// Porter2 rather than the original Porter: it folds adverbs ("mainly" → "main"), which Porter keeps apart.
import stemmer from 'wink-porter2-stemmer';
import { eng as englishStopWords } from 'stopword';

/**
 * British spellings → American ("normalised" → "normalized", "defence" → "defense"): the
 * stemmer folds "-ize" but not "-ise", and news from London and questions typed in Ohio must meet.
 */
const AMERICAN_SPELLING: ReadonlyMap<string, string> = new Map(
  Object.entries(
    createRequire(import.meta.url)('american-british-english-translator/data/british_spellings.json') as Record<string, string>,
  )
    // Entries whose "American" form is a rare variant or another word ("gage", "busses", "gasses"): American English spells these the same.
    .filter(([british]) => !/^(gaug(e|es|ed|ing)|(mini)?bus(es|ing)|gases)$/.test(british)),
);

/** Question words carry no topic: "when did X" should match passages about X. */
const QUESTION_WORDS = [
  'what',
  'which',
  'who',
  'whom',
  'whose',
  'when',
  'where',
  'why',
  'how',
  'much',
  'many',
  'does',
  'did',
  'do',
  'tell',
  'me',
  'please',
  'say',
  'says',
  'said',
];
const STOP_WORDS = new Set([...englishStopWords, ...QUESTION_WORDS, 's']);

/** Words, and numbers with their decimal/thousands separators ("31.4", "1,000"), as one token each. */
const TOKEN = /[\p{L}\p{M}\p{N}]+(?:['’][\p{L}]+)?(?:[.,]\p{N}+)*/gu;

/** Fold case and accents so "Phạm Minh Chính" matches "Pham Minh Chinh" ("đ" has no decomposition). */
export function foldText(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .replace(/đ/g, 'd');
}

/** Raw tokens of a text after folding (no stop-word removal, no stemming). */
export function tokenize(text: string): string[] {
  // "U.S." and "U.N." become "us" and "un", as they are usually written without dots.
  const joined = foldText(text).replace(/(?<![\p{L}\p{N}])(?:\p{L}\.){2,}/gu, (initialism) => initialism.replaceAll('.', ''));
  return joined.match(TOKEN) ?? [];
}

/**
 * Token → term, remembered: a corpus repeats a small vocabulary (Zipf), and stemming is the
 * costly step of indexing. Bounded, so a stream of unique tokens cannot grow it without end.
 */
const termCache = new Map<string, string | null>();
const TERM_CACHE_LIMIT = 200_000;

/** Map a folded token to its index term, or null for stop words. Numbers lose thousands separators. */
export function toTerm(token: string): string | null {
  const known = termCache.get(token);
  if (known !== undefined) return known;
  const term = computeTerm(token);
  if (termCache.size >= TERM_CACHE_LIMIT) termCache.clear();
  termCache.set(token, term);
  return term;
}

function computeTerm(token: string): string | null {
  const word = token.replace(/['’]s$/, '');
  if (/^\p{N}/u.test(word)) return word.replace(/,(?=\d{3}\b)/g, '');
  if (STOP_WORDS.has(word) || word.length < 2) return null;
  const bare = word.replace(/['’]/g, '');
  return stemmer(AMERICAN_SPELLING.get(bare) ?? bare);
}

/** The index terms of a text, in order, duplicates kept. */
export function terms(text: string): string[] {
  return tokenize(text).flatMap((token) => {
    const term = toTerm(token);
    return term === null ? [] : [term];
  });
}

/** The distinct content words of a text, folded, that can be looked up as single-word embeddings. */
export function contentWords(text: string): { word: string; term: string }[] {
  const seen = new Map<string, string>();
  for (const token of tokenize(text)) {
    const term = toTerm(token);
    const word = token.replace(/['’]s$/, '');
    if (term !== null && !/^\p{N}/u.test(word) && !seen.has(word)) seen.set(word, term);
  }
  return [...seen].map(([word, term]) => ({ word, term }));
}
