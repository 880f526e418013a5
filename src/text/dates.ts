import { terms } from './terms.js';

export const MONTH_NAMES = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
] as const;

/** A year as news writes them, 1800-2099. */
export const YEAR = /\b(?:1[89]|20)\d{2}\b/g;
const WHOLE_YEAR = /^(?:1[89]|20)\d{2}$/;
/** "April 15 to 18", "15 April", "Dec. 12-14": days of a month. */
export const DAYS_OF_MONTH =
  /\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}(?:\s*(?:to|-|–|and)\s*\d{1,2})?\b|\b\d{1,2}(?:\s*(?:to|-|–)\s*\d{1,2})?\s+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\b/g;
export const MONTH_OR_DAY =
  /\b(January|February|March|April|May|June|July|August|September|October|November|December|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b/g;
/** Time said relatively: "the day before Xi arrived", "two months ago", "last week". */
export const RELATIVE_TIME =
  /\b(?:days?|weeks?|months?|years?) (?:before|after|earlier|later|ago)\b|\bago\b|\b(?:yesterday|tomorrow|(?:last|next) (?:week|month|year))\b/gi;
const RECENCY = /\b(latest|most recent|newest|recently|recent|currently|now|today|this year)\b/i;

/** Is the token a year ("1988", "2025") rather than a count? */
export function isYear(token: string): boolean {
  return WHOLE_YEAR.test(token);
}

/** The years a text names. */
export function yearsIn(text: string): Set<string> {
  return new Set(text.match(YEAR) ?? []);
}

/** The months a text names, 1-12. */
export function monthsIn(text: string): number[] {
  const lower = text.toLowerCase();
  return MONTH_NAMES.flatMap((month, index) => (new RegExp(`\\b${month}\\b`).test(lower) ? [index + 1] : []));
}

/** Does the text ask for the latest ("most recent", "now", "this year")? */
export function asksForLatest(text: string): boolean {
  return RECENCY.test(text);
}

/** Index terms of a document date ("2023-12-12" → 2023, december, dec): a question's "in Dec 2023" is said by the article's date. */
export function dateTerms(date: string | null): string[] {
  if (!date) return [];
  const [year, month] = date.split('-');
  const name = MONTH_NAMES[Number(month) - 1];
  return terms([year, name, name?.slice(0, 3), name === 'september' ? 'sept' : ''].filter(Boolean).join(' '));
}
