import { isYear } from './dates.js';

/** Figures a sentence states, normalised: "$31.4 billion" → 31.4billion, "145%" → 145%, "1,000" → 1000. */
export function figuresOf(text: string): Set<string> {
  const found = text.match(/\d[\d,]*(?:\.\d+)?(?:\s?(?:%|percent\b|per cent\b|billion\b|million\b|trillion\b))?/gi) ?? [];
  return new Set(
    found.map((figure) =>
      figure
        .toLowerCase()
        .replace(/,(?=\d{3})/g, '')
        .replace(/\s+/g, '')
        .replace(/percent|percent/, '%'),
    ),
  );
}

export type FigureKind = 'percent' | 'money' | 'year' | 'count';
export const FIGURE_KINDS: readonly FigureKind[] = ['percent', 'money', 'year', 'count'];

export function kindOf(figure: string): FigureKind {
  if (figure.endsWith('%')) return 'percent';
  if (/(billion|million|trillion)$/.test(figure)) return 'money';
  if (isYear(figure)) return 'year';
  return 'count';
}

export function ofKind(figures: ReadonlySet<string>, kind: FigureKind): Set<string> {
  return new Set([...figures].filter((figure) => kindOf(figure) === kind));
}

/** Figures specific enough that two articles stating them state the same fact: percentages and money. */
export function distinctiveFigures(text: string): string[] {
  return [...figuresOf(text)].filter((figure) => kindOf(figure) === 'percent' || kindOf(figure) === 'money');
}

const ORDINALS = /\b(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|\d+(?:st|nd|rd|th))\b/gi;

/**
 * What a sentence claims that could contradict another source: its leading ordinal ("his second
 * in less than 18 months"; later ones usually qualify something else, "the first Trump
 * administration") and its figures.
 */
export function claimsOf(text: string): { ordinals: Set<string>; figures: Set<string> } {
  const lead = text.match(ORDINALS)?.[0]?.toLowerCase();
  return { ordinals: new Set(lead ? [lead] : []), figures: figuresOf(text) };
}
