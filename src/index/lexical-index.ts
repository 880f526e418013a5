import MiniSearch from 'minisearch';
import { terms, toTerm, tokenize } from './terms.js';

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
}

export const DEFAULT_LEXICAL: LexicalSettings = { titleBoost: 0.5 };

const FIELDS = ['text', 'title', 'section'];

function miniSearchOptions() {
  return {
    idField: 'label',
    fields: FIELDS,
    storeFields: [],
    tokenize: (text: string) => tokenize(text),
    processTerm: (token: string) => toTerm(token),
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

  static fromJSON(json: string, settings: LexicalSettings = DEFAULT_LEXICAL): LexicalIndex {
    const { miniSearch, documentFrequency, size } = JSON.parse(json) as { miniSearch: unknown; documentFrequency: [string, number][]; size: number };
    const search = MiniSearch.loadJS<LexicalEntry>(miniSearch as never, miniSearchOptions());
    return new LexicalIndex(search, new Map(documentFrequency), size, settings);
  }

  toJSON(): string {
    return JSON.stringify({ miniSearch: this.search.toJSON(), documentFrequency: [...this.documentFrequency], size: this.size });
  }

  query(question: string, limit: number): LexicalHit[] {
    return this.search
      .search(question, { boost: { text: 1, title: this.settings.titleBoost, section: this.settings.titleBoost }, combineWith: 'OR' })
      .slice(0, limit)
      .map((result) => ({ label: Number(result.id), score: result.score }));
  }

  /** Inverse document frequency; unseen terms get the highest value (they are the most specific). */
  idf(term: string): number {
    const frequency = this.documentFrequency.get(term) ?? 0;
    return Math.log(1 + (this.size - frequency + 0.5) / (frequency + 0.5));
  }
}
