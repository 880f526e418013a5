import MiniSearch, { type Options } from 'minisearch';
import { terms } from './terms.js';

/** What the lexical index knows of a chunk: its text and the context fields it may be found by. */
export interface LexicalEntry {
  readonly label: number;
  readonly text: string;
  readonly title: string;
  readonly section: string | null;
}

export interface LexicalHit {
  readonly label: number;
  /** BM25 score (unbounded; compare within one query only). */
  readonly score: number;
}

export interface LexicalSettings {
  /** Multiplier of matches in the document title relative to the chunk text. */
  readonly titleBoost: number;
  /** Multiplier of adjacent word pairs ("top leader") matched as a phrase. */
  readonly pairBoost: number;
  /** Largest edit distance, as a share of the term length, for typo-tolerant matches of unknown words; 0 turns it off. */
  readonly fuzziness: number;
  /** Terms found in more than this share of all chunks are not searched on their own. */
  readonly maxTermShare: number;
}

export const DEFAULT_LEXICAL: LexicalSettings = { titleBoost: 0.5, pairBoost: 0.5, fuzziness: 0.2, maxTermShare: 0.25 };

/** `pairs` indexes adjacent term pairs of the text, so a phrase in the question counts more than scattered words. */
const FIELDS = ['text', 'title', 'section', 'pairs'];
const PAIR_JOINER = '_';

function adjacentPairs(sequence: readonly string[]): string[] {
  return sequence.slice(1).map((term, index) => `${sequence[index]}${PAIR_JOINER}${term}`);
}

/** Terms are made by our own pipeline (fold, stop words, stem) in `tokenize`; MiniSearch takes them as they are. */
function miniSearchOptions(): Options<LexicalEntry> {
  return {
    idField: 'label',
    fields: FIELDS,
    storeFields: [],
    extractField: (entry, field) => String(entry[(field === 'pairs' ? 'text' : field) as keyof LexicalEntry] ?? ''),
    tokenize: (text: string, field?: string) => (field === 'pairs' ? adjacentPairs(terms(text)) : terms(text)),
    processTerm: (term: string) => term,
  };
}

/** BM25 over chunks (MiniSearch), plus document frequencies for idf-weighted evidence. */
export class LexicalIndex {
  private constructor(
    private readonly search: MiniSearch<LexicalEntry>,
    /** How many chunks contain each term. */
    private readonly documentFrequency: ReadonlyMap<string, number>,
    readonly size: number,
    private readonly settings: LexicalSettings,
  ) {}

  static build(entries: readonly LexicalEntry[], settings: LexicalSettings = DEFAULT_LEXICAL): LexicalIndex {
    const search = new MiniSearch<LexicalEntry>(miniSearchOptions());
    search.addAll(entries.map((entry) => ({ ...entry, section: entry.section ?? '' })));
    const frequency = new Map<string, number>();
    for (const entry of entries) {
      for (const term of new Set(terms(entry.text))) frequency.set(term, (frequency.get(term) ?? 0) + 1);
    }
    return new LexicalIndex(search, frequency, entries.length, settings);
  }

  /** Like `build`, but gives the event loop a turn every 500 entries (a bot keeps answering during `/reindex`). */
  static async buildAsync(
    entries: readonly LexicalEntry[],
    settings: LexicalSettings = DEFAULT_LEXICAL,
    onProgress: (done: number) => void = () => {},
  ): Promise<LexicalIndex> {
    const search = new MiniSearch<LexicalEntry>(miniSearchOptions());
    const frequency = new Map<string, number>();
    for (let start = 0; start < entries.length; start += 500) {
      const slice = entries.slice(start, start + 500);
      search.addAll(slice.map((entry) => ({ ...entry, section: entry.section ?? '' })));
      for (const entry of slice) {
        for (const term of new Set(terms(entry.text))) frequency.set(term, (frequency.get(term) ?? 0) + 1);
      }
      onProgress(start + slice.length);
      await new Promise((resolve) => setImmediate(resolve));
    }
    return new LexicalIndex(search, frequency, entries.length, settings);
  }

  static fromJSON(json: string, settings: LexicalSettings = DEFAULT_LEXICAL): LexicalIndex {
    const { miniSearch, documentFrequency, size } = JSON.parse(json) as { miniSearch: unknown; documentFrequency: [string, number][]; size: number };
    const search = MiniSearch.loadJS<LexicalEntry>(miniSearch as never, miniSearchOptions());
    return new LexicalIndex(search, new Map(documentFrequency), size, settings);
  }

  /**
   * The index as JSON lines (a header, then the term postings 1,000 terms a line), so a large
   * corpus never has to fit in one string (V8 strings stop at about 512 MB).
   */
  *toJSONLines(): Generator<string> {
    const { index, ...head } = this.search.toJSON() as unknown as { index: unknown[] } & Record<string, unknown>;
    yield JSON.stringify({ miniSearch: head, documentFrequency: [...this.documentFrequency], size: this.size });
    for (let start = 0; start < index.length; start += 1000) yield JSON.stringify(index.slice(start, start + 1000));
  }

  static fromJSONLines(lines: readonly string[], settings: LexicalSettings = DEFAULT_LEXICAL): LexicalIndex {
    const [first, ...rest] = lines;
    if (first === undefined) throw new Error('empty lexical index file');
    const { miniSearch, documentFrequency, size } = JSON.parse(first) as { miniSearch: Record<string, unknown>; documentFrequency: [string, number][]; size: number };
    const index = rest.flatMap((line) => JSON.parse(line) as unknown[]);
    const search = MiniSearch.loadJS<LexicalEntry>({ ...miniSearch, index } as never, miniSearchOptions());
    return new LexicalIndex(search, new Map(documentFrequency), size, settings);
  }

  toJSON(): string {
    return JSON.stringify({ miniSearch: this.search.toJSON(), documentFrequency: [...this.documentFrequency], size: this.size });
  }

  /**
   * BM25 search. `expansions` are extra index terms (e.g. near-synonyms of the question's words)
   * with a weight below 1 each, so they help recall without outranking the question's own words.
   */
  query(question: string, limit: number, expansions: ReadonlyMap<string, number> = new Map()): LexicalHit[] {
    const own = terms(question);
    const { titleBoost, pairBoost, fuzziness } = this.settings;
    const searched = this.withoutCommonTerms(own);
    const asIs = { tokenize: (text: string) => text.split(' ').filter(Boolean), processTerm: (term: string) => term };
    // Typo tolerance for words the corpus does not have; a known word is matched as it is.
    const fuzzy = (term: string) =>
      fuzziness > 0 && term.length >= 6 && !/\d/.test(term) && !this.documentFrequency.has(term) ? fuzziness : false;
    const queries = [
      { queries: [[...searched, ...adjacentPairs(own)].join(' ')], ...asIs, fuzzy },
      ...(expansions.size ? [{ queries: [[...expansions.keys()].join(' ')], ...asIs, boostTerm: (term: string) => expansions.get(term) ?? 0 }] : []),
    ];
    return this.search
      .search({ combineWith: 'OR', queries }, { boost: { text: 1, title: titleBoost, section: titleBoost, pairs: pairBoost }, combineWith: 'OR' })
      .slice(0, limit)
      .map((result) => ({ label: Number(result.id), score: result.score }));
  }

  /**
   * The question's terms minus those in more than `maxTermShare` of all chunks (the rarest one
   * is kept when all are common). Their BM25 weight is small (idf ≤ 1.4 against ~4.6 for a term in
   * 1% of chunks) but their postings are the longest: at 17,517 chunks skipping them makes BM25
   * 2.7× faster. They still count as phrase pairs, in the dense side and in sentence scoring.
   */
  private withoutCommonTerms(own: readonly string[]): string[] {
    const share = (term: string) => (this.documentFrequency.get(term) ?? 0) / Math.max(1, this.size);
    const kept = own.filter((term) => share(term) <= this.settings.maxTermShare);
    if (kept.length > 0 || own.length === 0) return kept;
    return [own.reduce((rarest, term) => (share(term) < share(rarest) ? term : rarest))];
  }

  /** Every term of the index with its chunk count (for expansion candidates). */
  vocabulary(): IterableIterator<string> {
    return this.documentFrequency.keys();
  }

  /** Inverse document frequency; unseen terms get the highest value (they are the most specific). */
  idf(term: string): number {
    const frequency = this.documentFrequency.get(term) ?? 0;
    return Math.log(1 + (this.size - frequency + 0.5) / (frequency + 0.5));
  }
}
