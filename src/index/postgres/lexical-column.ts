import { terms } from '../../text/terms.js';

/**
 * The value of `chunks.lexical_terms`: the chunk text's index terms (folded, stop words out,
 * Porter2-stemmed, as `terms()` makes them for the in-memory index) joined by spaces. The BM25
 * index over it splits on spaces without stemming again (`text_config = 'simple'`), so chunks and
 * questions are read by the same code.
 */
export function lexicalTermsColumn(text: string): string {
  return terms(text).join(' ');
}
