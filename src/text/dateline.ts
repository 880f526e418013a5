/** A wire-story dateline opening a lead sentence: "HANOI: ", "Dalian, The Gulf Observer: ", "BEIJING (Reuters) - ". */
const DATELINE = /^\s*\p{Lu}[\p{L}.'’ -]{1,40}(?:,\s*\p{Lu}[\p{L}.'’ -]{1,40})?\s*(?::|\([^)]{1,40}\)\s*[-–—])\s+/u;

/** The sentence without its dateline: it says where a story was filed, not what it says. */
export function withoutDateline(sentence: string): string {
  // A cheap test before the pattern: a colon or parenthesis near the start.
  const colon = sentence.indexOf(':');
  const parenthesis = sentence.indexOf('(');
  const mayHaveOne = (colon > 0 && colon < 90) || (parenthesis > 0 && parenthesis < 90);
  return mayHaveOne ? sentence.replace(DATELINE, '') : sentence;
}
