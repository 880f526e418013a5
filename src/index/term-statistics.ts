import type { Section } from './binary-sections.js';
import { inverseFrequency, type LexicalIndex } from './lexical-index.js';
import type { TermStatistics } from './serving-index.js';

const FORMAT = 'term-statistics-1';

const encode = (list: readonly string[]) => new TextEncoder().encode(list.join('\n'));
const decode = (bytes: Section | undefined) => {
  if (!(bytes instanceof Uint8Array)) throw new Error('term statistics sections missing');
  return bytes.length === 0 ? [] : new TextDecoder().decode(bytes).split('\n');
};

/**
 * The corpus's words as answering weighs them, without the postings: each term some chunk's text
 * has with the number of chunks that have it, the names, and each term's first written word. A
 * small fraction of the lexical index, held by a process that searches words in the database.
 */
export class StoredTermStatistics implements TermStatistics {
  private readonly frequencies: Map<string, number>;
  private readonly names: ReadonlySet<string>;
  private readonly words: ReadonlyMap<string, string>;

  private constructor(
    private readonly chunkCount: number,
    terms: readonly string[],
    frequencies: Uint32Array,
    names: readonly string[],
    words: readonly (readonly [string, string])[],
  ) {
    this.frequencies = new Map(terms.map((term, index) => [term, frequencies[index] ?? 0]));
    this.names = new Set(names);
    this.words = new Map(words);
  }

  /** The statistics of an index's lexical index, with the corpus's names and first words. */
  static sectionsOf(
    lexicalIndex: LexicalIndex,
    names: ReadonlySet<string>,
    words: ReadonlyMap<string, string>,
  ): { header: unknown; sections: Record<string, Section> } {
    const terms = [...lexicalIndex.vocabulary()];
    return {
      header: { format: FORMAT, chunks: lexicalIndex.size },
      sections: {
        terms: encode(terms),
        frequencies: Uint32Array.from(terms, (term) => lexicalIndex.documentFrequency(term)),
        names: encode([...names]),
        wordTerms: encode([...words.keys()]),
        words: encode([...words.values()]),
      },
    };
  }

  static fromSections(header: unknown, sections: Readonly<Record<string, Section>>): StoredTermStatistics {
    const { format, chunks } = (header ?? {}) as { format?: unknown; chunks?: unknown };
    if (format !== FORMAT || typeof chunks !== 'number') throw new Error('term statistics of another format');
    const terms = decode(sections.terms);
    const { frequencies } = sections;
    if (!(frequencies instanceof Uint32Array) || frequencies.length !== terms.length) throw new Error('term statistics sections disagree');
    const wordTerms = decode(sections.wordTerms);
    const words = decode(sections.words);
    if (wordTerms.length !== words.length) throw new Error('term statistics sections disagree');
    return new StoredTermStatistics(
      chunks,
      terms,
      frequencies,
      decode(sections.names),
      wordTerms.map((term, index) => [term, words[index] as string] as const),
    );
  }

  /** Chunks in the index. */
  get size(): number {
    return this.chunkCount;
  }

  /** How many chunks' text has the term. */
  documentFrequency(term: string): number {
    return this.frequencies.get(term) ?? 0;
  }

  idf(term: string): number {
    return inverseFrequency(this.chunkCount, this.documentFrequency(term));
  }

  isKnown(term: string): boolean {
    return this.documentFrequency(term) > 0;
  }

  isName(term: string): boolean {
    return this.names.has(term);
  }

  firstWord(term: string): string | undefined {
    return this.words.get(term);
  }

  /** Every term some chunk's text has (for typo-tolerant lookups). */
  vocabulary(): IterableIterator<string> {
    return this.frequencies.keys();
  }
}
