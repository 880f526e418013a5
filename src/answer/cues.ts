import { DAYS_OF_MONTH, isYear, MONTH_OR_DAY, RELATIVE_TIME, YEAR } from '../text/dates.js';
import { withoutDateline } from '../text/dateline.js';
import { COUNT_WORDS, NEVER_A_NAME } from '../text/en.js';
import { terms } from '../text/terms.js';
import type { AnswerType } from './question.js';

/** A capitalised word after a preposition of place. */
const PLACE_NAME = /\b(?:in|at|near|from|to|into|inside|outside|across|visiting)\s+(?:the\s+)?(\p{Lu}[\p{L}’'-]+)/gu;
/**
 * Does the sentence hold something of the asked type that the question does not already say?
 * `given`: the question's terms, and what its adjectives name ("Vietnamese" gives "Vietnam").
 * `namesAPlace`: whether a capitalised word is an adjective of a place or people ("Vietnamese",
 * "European"): known from the corpus's words through WordNet, such a word is never the name asked for.
 */
export function hasCue(
  type: AnswerType,
  sentence: string,
  given: ReadonlySet<string>,
  namesAPlace: (word: string) => boolean = () => false,
): boolean {
  const isNew = (found: string) => !terms(found).every((term) => given.has(term));
  switch (type) {
    case 'number':
      // Whole numbers only: "C909" in the question is not a new number "909".
      // Nor is a year or a day of the month a count: "how many soldiers died in 1988?" is not
      // answered by "… in 1974", nor "how long since his last trip?" by "from April 15 to 18".
      return (
        ((/\d/.test(sentence) ? sentence.replace(DAYS_OF_MONTH, ' ') : sentence).match(/(?<![\p{L}\p{N}])\d[\d.,]*%?/gu) ?? []).some(
          (found) => isNew(found) && !isYear(found),
        ) || /\b(dozens|hundreds|thousands|millions|billions)\b/i.test(sentence)
      );
    case 'year':
      return (sentence.match(YEAR) ?? []).some(isNew);
    case 'time':
      return [...(sentence.match(YEAR) ?? []), ...(sentence.match(MONTH_OR_DAY) ?? []), ...(sentence.match(RELATIVE_TIME) ?? [])].some(
        isNew,
      );
    case 'name':
    case 'place': {
      // A capitalised word after the first one, not in the question: a person, place or organisation;
      // for "where", one after a preposition of place ("talks in Dalian City", not "Prime Minister Chính of Vietnam").
      // Not the dateline's: "Dalian, The Gulf Observer: …" says where it was filed, not where the talks were.
      const body = withoutDateline(sentence).slice(1);
      const names =
        type === 'place' ? [...body.matchAll(PLACE_NAME)].map((match) => match[1] ?? '') : (body.match(/\b\p{Lu}[\p{L}’'-]+/gu) ?? []);
      return names.some((word) => {
        const bare = word.toLowerCase().replace(/[’'].*$/, '');
        return !NEVER_A_NAME.has(bare) && !namesAPlace(bare) && isNew(word);
      });
    }
    default:
      return false;
  }
}

/**
 * A count written as a word, of something `carried` names: "two COMAC C909 planes" for "how many of them?" after a
 * question about COMAC jets; not "the two countries", nor a count the question says itself. Read for follow-ups only: as a cue of every question asking how
 * many, it answered near-miss questions the sets expect declined (docs/ranking.md, issue 25).
 */
export function countsCarried(sentence: string, carried: ReadonlySet<string>): boolean {
  for (const match of sentence.matchAll(COUNT_WORDS)) {
    // "the two countries" the question already says is no answer.
    if (carried.has(match[0].toLowerCase())) continue;
    const after = sentence.slice(match.index + match[0].length).split(/[,.;:!?]/)[0] ?? '';
    if (terms(after.split(/\s+/).slice(0, 4).join(' ')).some((term) => carried.has(term))) return true;
  }
  return false;
}
