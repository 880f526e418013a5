/**
 * The MiniSearch 7 configuration the compact lexical index replaced (commit 7b990f9; typos in word
 * pairs since limited to two edits), kept as a reference: the test checks that the two rank and
 * score alike, the lever benchmark compares their cost.
 */
import MiniSearch from 'minisearch';
import { DEFAULT_LEXICAL, type LexicalEntry, type LexicalHit } from '../src/index/lexical-index.js';
import { terms } from '../src/text/terms.js';

const pairsOf = (list: readonly string[]) => list.slice(1).map((term, at) => `${list[at]}_${term}`);

export interface ReferenceIndex {
  readonly miniSearch: MiniSearch<LexicalEntry>;
  query(question: string, limit: number, expansions?: ReadonlyMap<string, number>): LexicalHit[];
}

export function miniSearchReference(entries: readonly LexicalEntry[]): ReferenceIndex {
  const miniSearch = new MiniSearch<LexicalEntry>({
    idField: 'label',
    fields: ['text', 'title', 'section', 'pairs'],
    extractField: (entry, field) => String(entry[(field === 'pairs' ? 'text' : field) as keyof LexicalEntry] ?? ''),
    tokenize: (text, field) => (field === 'pairs' ? pairsOf(terms(text)) : terms(text)),
    processTerm: (term) => term,
  });
  miniSearch.addAll(entries.map((entry) => ({ ...entry, section: entry.section ?? '' })));
  const chunkCount = new Map<string, number>();
  for (const entry of entries) for (const term of new Set(terms(entry.text))) chunkCount.set(term, (chunkCount.get(term) ?? 0) + 1);
  const share = (term: string) => (chunkCount.get(term) ?? 0) / entries.length;
  const { titleBoost, pairBoost, fuzziness, maxTermShare } = DEFAULT_LEXICAL;
  const query = (question: string, limit: number, expansions: ReadonlyMap<string, number> = new Map()): LexicalHit[] => {
    const own = terms(question);
    const kept = own.filter((term) => share(term) <= maxTermShare);
    const searched = kept.length > 0 || own.length === 0 ? kept : [own.reduce((a, b) => (share(b) < share(a) ? b : a))];
    const asIs = { tokenize: (text: string) => text.split(' ').filter(Boolean), processTerm: (term: string) => term };
    // Word pairs: at most two edits (see MAX_PAIR_FUZZY_DISTANCE); MiniSearch reads a fuzzy value ≥ 1 as edits.
    const fuzzy = (term: string) => {
      if (term.length < 6 || /\d/.test(term) || chunkCount.has(term)) return false;
      return term.includes('_') ? Math.min(2, Math.round(term.length * fuzziness)) || false : fuzziness;
    };
    const queries = [
      { queries: [[...searched, ...pairsOf(own)].join(' ')], ...asIs, fuzzy },
      ...(expansions.size
        ? [{ queries: [[...expansions.keys()].join(' ')], ...asIs, boostTerm: (term: string) => expansions.get(term) ?? 0 }]
        : []),
    ];
    return miniSearch
      .search(
        { combineWith: 'OR', queries },
        { boost: { text: 1, title: titleBoost, section: titleBoost, pairs: pairBoost }, combineWith: 'OR' },
      )
      .slice(0, limit)
      .map((result) => ({ label: Number(result.id), score: result.score }));
  };
  return { miniSearch, query };
}
