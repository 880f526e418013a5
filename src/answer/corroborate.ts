import { byDateDescending, citationOnly, type Quote } from '../core/types.js';
import type { CitedSentence } from '../index/corpus-facts.js';
import type { ServingIndex } from '../index/serving-index.js';
import { distinctiveFigures, figuresOf } from '../text/figures.js';
import { terms } from '../text/terms.js';
import type { CorpusScope } from './scope.js';
import { QUOTING } from './settings.js';

export type { CitedSentence } from '../index/corpus-facts.js';

/** Sentences that state figures, and where each figure is stated (positions in `sentences`, ascending). */
export interface FigureIndex {
  readonly sentences: readonly CitedSentence[];
  readonly byFigure: ReadonlyMap<string, readonly number[]>;
}

/** Index sentences by the figures they state, so corroboration reads a figure's few sentences, not the corpus. */
export function indexFigures(sentences: readonly CitedSentence[]): FigureIndex {
  const byFigure = new Map<string, number[]>();
  sentences.forEach((sentence, position) => {
    for (const figure of figuresOf(sentence.text)) {
      const positions = byFigure.get(figure);
      if (positions) positions.push(position);
      else byFigure.set(figure, [position]);
    }
  });
  return { sentences, byFigure };
}

/**
 * Corroboration beyond the retrieved passages: other documents with a sentence that states the
 * quote's distinctive figure (a percentage or an amount the question did not give) and shares at
 * least `minSharedTerms` other words with it, e.g. "145%" in two articles. Adds them to `alsoIn`
 * and makes the newest statement the headline. `allows` limits the documents cited (a scope).
 */
export function corroborateByFigures(
  quote: Quote,
  questionFigures: ReadonlySet<string>,
  pool: FigureIndex,
  allows: (file: string) => boolean = () => true,
  minSharedTerms: number = QUOTING.figureSharedTerms,
): Quote {
  const figures = quotedFigures(quote, questionFigures);
  if (figures.length === 0) return quote;
  const cited = new Set([quote.source, ...quote.alsoIn.map((citation) => citation.source)]);
  const own = new Set(terms(quote.text));
  const added = new Map<string, CitedSentence>();
  // In corpus order, as a scan of every sentence would meet them; a figure stated in thousands of
  // sentences (a large archive) is checked in its first `QUOTING.corroborationCandidates` only.
  const positions = [...new Set(figures.flatMap((figure) => pool.byFigure.get(figure) ?? []))]
    .filter((position) => allows((pool.sentences[position] as CitedSentence).source))
    .sort((left, right) => left - right)
    .slice(0, QUOTING.corroborationCandidates);
  for (const position of positions) {
    const sentence = pool.sentences[position] as CitedSentence;
    if (cited.has(sentence.source) || added.has(sentence.source)) continue;
    const shared = new Set(terms(sentence.text).filter((term) => own.has(term) && !/^\p{N}/u.test(term)));
    if (shared.size >= minSharedTerms) added.set(sentence.source, sentence);
  }
  if (added.size === 0) return quote;
  const { text, alsoIn, conflicts, score, ...citation } = quote;
  const members: CitedSentence[] = [{ ...citation, text }, ...alsoIn.map((member) => ({ ...member, text: '' })), ...added.values()];
  const headline = [...members].sort(byDateDescending)[0] ?? members[0];
  if (!headline || headline.text === '') return { ...quote, alsoIn: [...alsoIn, ...[...added.values()].map(citationOnly)] };
  return {
    ...citationOnly(headline),
    text: headline.text,
    score,
    alsoIn: members.filter((member) => member !== headline).map(citationOnly),
    ...(conflicts ? { conflicts } : {}),
  };
}

/** The distinctive figures a quote states beyond those the question gave. */
function quotedFigures(quote: Quote, questionFigures: ReadonlySet<string>): string[] {
  return distinctiveFigures(quote.text).filter((figure) => !questionFigures.has(figure));
}

/** `corroborateByFigures` with the index's sentences that state the quote's figures (within the scope), read for this quote only. */
export async function corroborate(
  quote: Quote,
  questionFigures: ReadonlySet<string>,
  index: ServingIndex,
  scope: CorpusScope | null,
): Promise<Quote> {
  const figures = quotedFigures(quote, questionFigures);
  if (figures.length === 0) return quote;
  const sentences = await index.figureSentences(figures, scope?.files ?? null, QUOTING.corroborationCandidates);
  return corroborateByFigures(quote, questionFigures, indexFigures(sentences));
}
