import SearchableMap from 'minisearch/SearchableMap';
import { getOrInsert } from '../core/maps.js';
import type { Section } from './binary-sections.js';
import { terms } from '../text/terms.js';
import {
  BM25,
  DEFAULT_LEXICAL,
  FUZZY_MIN_LENGTH,
  FUZZY_WEIGHT,
  type LexicalSettings,
  MAX_FUZZY_DISTANCE,
  MAX_PAIR_FUZZY_DISTANCE,
} from './lexical-settings.js';

export { DEFAULT_LEXICAL, type LexicalSettings } from './lexical-settings.js';

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

/**
 * Fields of a chunk. `pairs` holds adjacent term pairs of the text, so a phrase in the question
 * counts more than scattered words.
 */
const FIELDS = ['text', 'title', 'section', 'pairs'] as const;
const FIELD_COUNT = FIELDS.length;
const TEXT = 0;
const PAIR_JOINER = '_';

/*
 * BM25+ as MiniSearch 7 scores it (its constants in lexical-settings.ts): a match's score times the
 * number of distinct query terms the chunk matched, so ranking is unchanged from when MiniSearch held
 * the index (test/index/lexical-index.test.ts compares the two).
 */

const FORMAT = 'lexical-postings-1';

/** BM25's idf of a term in `frequency` of `size` chunks. */
export function inverseFrequency(size: number, frequency: number): number {
  return Math.log(1 + (size - frequency + 0.5) / (frequency + 0.5));
}

function adjacentPairs(sequence: readonly string[]): string[] {
  return sequence.slice(1).map((term, index) => `${sequence[index]}${PAIR_JOINER}${term}`);
}

/** A growable typed array (postings are appended one by one while building). */
class Growable<T extends Uint32Array | Uint8Array> {
  length = 0;
  constructor(public items: T) {}
  push(value: number): void {
    if (this.length === this.items.length) {
      const bigger = new (this.items.constructor as new (length: number) => T)(this.items.length * 2);
      bigger.set(this.items);
      this.items = bigger;
    }
    this.items[this.length++] = value;
  }
}

/** Collects postings chunk by chunk; `finish` sorts them into one compact inverted index. */
class PostingsBuilder {
  private readonly termIds = new Map<string, number>();
  private readonly keys = new Growable(new Uint32Array(1 << 16));
  private readonly docs = new Growable(new Uint32Array(1 << 16));
  private readonly freqs = new Growable(new Uint8Array(1 << 16));
  private readonly labels = new Growable(new Uint32Array(1 << 10));
  private readonly fieldLengths = new Growable(new Uint32Array(1 << 12));
  private lastTitle: { text: string; terms: string[] } = { text: '', terms: [] };

  add(entry: LexicalEntry): void {
    const doc = this.labels.length;
    this.labels.push(entry.label);
    const text = terms(entry.text);
    // Chunks of one document share the title: tokenize it once.
    if (entry.title !== this.lastTitle.text) this.lastTitle = { text: entry.title, terms: terms(entry.title) };
    const fieldTerms = [text, this.lastTitle.terms, entry.section ? terms(entry.section) : [], adjacentPairs(text)];
    fieldTerms.forEach((list, field) => {
      const counts = new Map<string, number>();
      for (const term of list) counts.set(term, (counts.get(term) ?? 0) + 1);
      this.fieldLengths.push(counts.size);
      for (const [term, count] of counts) {
        const id = getOrInsert(this.termIds, term, () => this.termIds.size);
        this.keys.push(id * FIELD_COUNT + field);
        this.docs.push(doc);
        this.freqs.push(Math.min(count, 255));
      }
    });
  }

  /** Counting sort by (term, field); appends were in chunk order, so every posting list comes out sorted by chunk. */
  finish(settings: LexicalSettings): LexicalIndex {
    const keyCount = this.termIds.size * FIELD_COUNT;
    const offsets = new Uint32Array(keyCount + 1);
    const keys = this.keys.items;
    const total = this.keys.length;
    for (let i = 0; i < total; i++) offsets[keys[i]! + 1]!++;
    for (let key = 0; key < keyCount; key++) offsets[key + 1]! += offsets[key]!;
    const next = offsets.slice(0, keyCount);
    const docs = new Uint32Array(total);
    const freqs = new Uint8Array(total);
    for (let i = 0; i < total; i++) {
      const at = next[keys[i]!]!++;
      docs[at] = this.docs.items[i]!;
      freqs[at] = this.freqs.items[i]!;
    }
    const size = this.labels.length;
    const fieldLengths = new Uint16Array(this.fieldLengths.items.subarray(0, size * FIELD_COUNT));
    return new LexicalIndex(
      [...this.termIds.keys()],
      {
        labels: this.labels.items.slice(0, size),
        fieldLengths,
        offsets,
        docs,
        freqs,
      },
      settings,
    );
  }
}

interface Postings {
  /** Chunk label by position in the index. */
  readonly labels: Uint32Array;
  /** Distinct terms per chunk and field, chunk-major. */
  readonly fieldLengths: Uint16Array;
  /** Posting list of (term id, field) at offsets[id·4+field] … offsets[id·4+field+1]. */
  readonly offsets: Uint32Array;
  readonly docs: Uint32Array;
  /** Term frequency in the field, capped at 255. */
  readonly freqs: Uint8Array;
}

/** One query term with what it may match: itself, and typo variants of an unknown word. */
interface TermQuery {
  readonly matches: readonly { readonly id: number; readonly weight: number }[];
  readonly boost: number;
}

/**
 * BM25 over chunks in a compact inverted index of typed arrays (about 5 bytes a posting), plus
 * document frequencies for idf-weighted evidence. It scores like MiniSearch did but holds
 * 100,000 documents (1.7 million chunks) in memory and on disk without millions of objects.
 */
export class LexicalIndex {
  private readonly termIds: Map<string, number>;
  private readonly averageFieldLength: Float64Array;
  /** Every term, for typo-tolerant lookup of unknown words (a radix tree, built by `prepareTypoLookup` or at the first typo). */
  private fuzzyTerms: SearchableMap<number> | null = null;
  /** Per-query scratch, reused: accumulated score, distinct matched terms, and stamps. */
  private readonly scores: Float64Array;
  private readonly matched: Uint16Array;
  private readonly touchedIn: Uint32Array;
  private readonly lastTerm: Uint32Array;
  private generation = 0;

  constructor(
    private readonly terms: readonly string[],
    private readonly postings: Postings,
    readonly settings: LexicalSettings,
  ) {
    this.termIds = new Map(terms.map((term, id) => [term, id]));
    const size = postings.labels.length;
    this.averageFieldLength = new Float64Array(FIELD_COUNT);
    for (let doc = 0; doc < size; doc++) {
      for (let field = 0; field < FIELD_COUNT; field++)
        this.averageFieldLength[field]! += postings.fieldLengths[doc * FIELD_COUNT + field]!;
    }
    for (let field = 0; field < FIELD_COUNT; field++) this.averageFieldLength[field]! /= Math.max(1, size);
    this.scores = new Float64Array(size);
    this.matched = new Uint16Array(size);
    this.touchedIn = new Uint32Array(size);
    this.lastTerm = new Uint32Array(size);
  }

  get size(): number {
    return this.postings.labels.length;
  }

  static build(entries: readonly LexicalEntry[], settings: LexicalSettings = DEFAULT_LEXICAL): LexicalIndex {
    const builder = new PostingsBuilder();
    for (const entry of entries) builder.add(entry);
    return builder.finish(settings);
  }

  /** Like `build`, but gives the event loop a turn every 500 entries (a bot keeps answering during `/reindex`). */
  static async buildAsync(
    entries: readonly LexicalEntry[],
    settings: LexicalSettings = DEFAULT_LEXICAL,
    onProgress: (done: number) => void = () => {},
  ): Promise<LexicalIndex> {
    const builder = new PostingsBuilder();
    for (let start = 0; start < entries.length; start += 500) {
      const end = Math.min(entries.length, start + 500);
      for (let position = start; position < end; position++) builder.add(entries[position] as LexicalEntry);
      onProgress(end);
      await new Promise((resolve) => setImmediate(resolve));
    }
    return builder.finish(settings);
  }

  /** The index as a header and typed arrays, for `writeSections`. */
  toSections(): { header: unknown; sections: Record<string, Section> } {
    const terms = new TextEncoder().encode(this.terms.join('\n'));
    return { header: { format: FORMAT, fields: FIELDS }, sections: { terms, ...this.postings } };
  }

  static fromSections(
    header: unknown,
    sections: Readonly<Record<string, Section>>,
    settings: LexicalSettings = DEFAULT_LEXICAL,
  ): LexicalIndex {
    if ((header as { format?: unknown } | null)?.format !== FORMAT) throw new Error('lexical index of another format');
    const { terms, labels, fieldLengths, offsets, docs, freqs } = sections;
    if (
      !(
        terms instanceof Uint8Array &&
        labels instanceof Uint32Array &&
        fieldLengths instanceof Uint16Array &&
        offsets instanceof Uint32Array &&
        docs instanceof Uint32Array &&
        freqs instanceof Uint8Array
      )
    ) {
      throw new Error('lexical index sections missing');
    }
    const termList = terms.length === 0 ? [] : new TextDecoder().decode(terms).split('\n');
    if (
      offsets.length !== termList.length * FIELD_COUNT + 1 ||
      fieldLengths.length !== labels.length * FIELD_COUNT ||
      docs.length !== freqs.length
    ) {
      throw new Error('lexical index sections disagree');
    }
    return new LexicalIndex(termList, { labels, fieldLengths, offsets, docs, freqs }, settings);
  }

  /**
   * BM25 search. `expansions` are extra index terms (e.g. near-synonyms of the question's words)
   * with a weight below 1 each, so they help recall without outranking the question's own words;
   * those in more than `maxTermShare` of the chunks are left out, like common question words.
   * `allows` keeps only some chunk labels (a scope): the `limit` best of those are returned.
   */
  query(
    question: string | readonly string[],
    limit: number,
    expansions: ReadonlyMap<string, number> = new Map(),
    allows?: (label: number) => boolean,
  ): LexicalHit[] {
    // A question already read into its terms, or a text.
    const own = typeof question === 'string' ? terms(question) : question;
    // Distinct query terms in order of first appearance; a repeated term counts its score again.
    const queries = new Map<string, TermQuery[]>();
    const add = (term: string, query: TermQuery) => queries.set(term, [...(queries.get(term) ?? []), query]);
    for (const term of [...this.withoutCommonTerms(own), ...adjacentPairs(own)]) add(term, { matches: this.matchesOf(term), boost: 1 });
    for (const [term, weight] of expansions) {
      // A common expansion weighs little and costs the most, as a common question word does.
      if (this.documentFrequency(term) > this.settings.maxTermShare * this.size) continue;
      const id = this.termIds.get(term);
      add(term, { matches: id === undefined ? [] : [{ id, weight: 1 }], boost: weight });
    }
    const touched = this.scoreAll([...queries.values()]);
    return this.best(allows === undefined ? touched : touched.filter((doc) => allows(this.postings.labels[doc]!)), limit);
  }

  /** The term itself, and for a word the corpus lacks, index terms within the allowed edit distance. */
  private matchesOf(term: string): { id: number; weight: number }[] {
    const id = this.termIds.get(term);
    const matches = id === undefined ? [] : [{ id, weight: 1 }];
    const { fuzziness } = this.settings;
    const known = id !== undefined && this.postingCount(id, TEXT) > 0;
    if (fuzziness <= 0 || known || term.length < FUZZY_MIN_LENGTH || /\d/.test(term)) return matches;
    const distance = Math.min(
      term.includes(PAIR_JOINER) ? MAX_PAIR_FUZZY_DISTANCE : MAX_FUZZY_DISTANCE,
      Math.round(term.length * fuzziness),
    );
    if (distance === 0) return matches;
    for (const [found, [foundId, editDistance]] of this.prepareTypoLookup().fuzzyGet(term, distance)) {
      if (editDistance > 0) matches.push({ id: foundId, weight: (FUZZY_WEIGHT * found.length) / (found.length + editDistance) });
    }
    return matches;
  }

  /**
   * Build the typo lookup now rather than at the first question that needs one (nearly every
   * question does: its word pairs are mostly unknown).
   */
  prepareTypoLookup(): SearchableMap<number> {
    this.fuzzyTerms ??= SearchableMap.from(this.terms.map((term, id) => [term, id] as [string, number]));
    return this.fuzzyTerms;
  }

  private postingCount(id: number, field: number): number {
    const key = id * FIELD_COUNT + field;
    return this.postings.offsets[key + 1]! - this.postings.offsets[key]!;
  }

  /** Accumulate BM25 of every query term into the scratch arrays; returns the chunks touched. */
  private scoreAll(queries: readonly (readonly TermQuery[])[]): number[] {
    const { offsets, docs, freqs, fieldLengths } = this.postings;
    const { scores, matched, touchedIn, lastTerm } = this;
    const boosts = [1, this.settings.titleBoost, this.settings.titleBoost, this.settings.pairBoost].map((boost) => boost || 1);
    const size = this.size;
    const queryStamp = ++this.generation;
    const touched: number[] = [];
    for (const occurrences of queries) {
      const termStamp = ++this.generation;
      for (const { matches, boost } of occurrences) {
        for (const { id, weight } of matches) {
          for (let field = 0; field < FIELD_COUNT; field++) {
            const start = offsets[id * FIELD_COUNT + field]!;
            const end = offsets[id * FIELD_COUNT + field + 1]!;
            if (start === end) continue;
            const frequency = end - start;
            const idf = inverseFrequency(size, frequency);
            const factor = weight * boost * boosts[field]! * idf;
            const lengthNorm = (BM25.k * BM25.b) / (this.averageFieldLength[field] || 1);
            const constant = BM25.k * (1 - BM25.b);
            for (let at = start; at < end; at++) {
              const doc = docs[at]!;
              const tf = freqs[at]!;
              const score =
                factor * (BM25.d + (tf * (BM25.k + 1)) / (tf + constant + lengthNorm * fieldLengths[doc * FIELD_COUNT + field]!));
              if (touchedIn[doc] !== queryStamp) {
                touchedIn[doc] = queryStamp;
                scores[doc] = 0;
                matched[doc] = 0;
                touched.push(doc);
              }
              scores[doc]! += score;
              if (lastTerm[doc] !== termStamp) {
                lastTerm[doc] = termStamp;
                matched[doc]!++;
              }
            }
          }
        }
      }
    }
    return touched;
  }

  /** The `limit` best touched chunks, score × distinct terms matched, best first (ties: first matched first, as MiniSearch). */
  private best(touched: readonly number[], limit: number): LexicalHit[] {
    const { scores, matched } = this;
    const top: { doc: number; score: number }[] = [];
    for (const doc of touched) {
      const score = scores[doc]! * matched[doc]!;
      if (top.length === limit && score <= top[top.length - 1]!.score) continue;
      let at = top.length;
      while (at > 0 && top[at - 1]!.score < score) at--;
      top.splice(at, 0, { doc, score });
      if (top.length > limit) top.pop();
    }
    return top.map(({ doc, score }) => ({ label: this.postings.labels[doc]!, score }));
  }

  /**
   * The question's terms minus those in more than `maxTermShare` of all chunks (the rarest one
   * is kept when all are common). Their BM25 weight is small (idf ≤ 1.4 against ~4.6 for a term in
   * 1% of chunks) but their postings are the longest: at 17,517 chunks skipping them makes BM25
   * 2.7× faster. They still count as phrase pairs, in the dense side and in sentence scoring.
   */
  private withoutCommonTerms(own: readonly string[]): string[] {
    const share = (term: string) => this.documentFrequency(term) / Math.max(1, this.size);
    const kept = own.filter((term) => share(term) <= this.settings.maxTermShare);
    if (kept.length > 0 || own.length === 0) return kept;
    return [own.reduce((rarest, term) => (share(term) < share(rarest) ? term : rarest))];
  }

  /** How many chunks contain the term in their text. */
  documentFrequency(term: string): number {
    const id = this.termIds.get(term);
    return id === undefined ? 0 : this.postingCount(id, TEXT);
  }

  /**
   * Whether the text of a chunk at positions `first` … `last` (inclusive; positions count entries
   * in the order they were added, which are the chunk labels here) has the term: a binary search
   * in its posting list, so a document's words need no set of their own.
   */
  textHasIn(term: string, first: number, last: number): boolean {
    const id = this.termIds.get(term);
    if (id === undefined) return false;
    const { offsets, docs } = this.postings;
    let low = offsets[id * FIELD_COUNT + TEXT]!;
    const end = offsets[id * FIELD_COUNT + TEXT + 1]!;
    let high = end;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (docs[middle]! < first) low = middle + 1;
      else high = middle;
    }
    return low < end && docs[low]! <= last;
  }

  /** Whether some chunk's text has the term. */
  isKnown(term: string): boolean {
    return this.documentFrequency(term) > 0;
  }

  /** Whether any field of any chunk has the term (a word, or a word pair such as "standard_gaug"). */
  hasTerm(term: string): boolean {
    return this.termIds.has(term);
  }

  /** Every term found in chunk text (for expansion candidates). */
  *vocabulary(): IterableIterator<string> {
    for (const [term, id] of this.termIds) if (this.postingCount(id, TEXT) > 0) yield term;
  }

  /** Inverse document frequency; unseen terms get the highest value (they are the most specific). */
  idf(term: string): number {
    return inverseFrequency(this.size, this.documentFrequency(term));
  }
}
