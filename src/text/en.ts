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
