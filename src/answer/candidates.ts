import { leadInOf, sentencesAround, standsAlone } from '../chunk/chunk.js';
import type { CorpusDocument, Passage } from '../core/types.js';
import type { Embedder } from '../embed/embedder.js';
import { dateTerms } from '../text/dates.js';
import type { CorpusView, PassageSentence } from './corpus-view.js';
import type { SentenceCandidate } from './features.js';

/**
 * The sentences of the passages (offsets into the document), each with the sentences around it
 * and its vector: what quote selection scores. A passage's sentences depend on the passage alone,
 * so they are split, embedded (those not stored at ingest, in one batch) and their terms
 * gathered once per index in use.
 */
export async function candidateSentences(
  passages: readonly Passage[],
  view: CorpusView,
  embedder: Embedder,
  contextSentences: number,
): Promise<SentenceCandidate[]> {
  const keyOf = (passage: Passage) => `${passage.source}\u0000${passage.start}\u0000${passage.end}`;
  const missing = new Map<string, Passage>();
  for (const passage of passages) if (!view.passageSentences.has(keyOf(passage))) missing.set(keyOf(passage), passage);
  if (missing.size > 0) await splitPassages([...missing], view, embedder, contextSentences);
  const seen = new Set<string>();
  return passages.flatMap((passage, passageRank) =>
    (view.passageSentences.get(keyOf(passage)) ?? []).flatMap((sentence) => {
      // Overlapping passages share sentences: each is scored once, under its best passage.
      const key = `${passage.source}:${sentence.start}`;
      if (seen.has(key)) return [];
      seen.add(key);
      return [{ passage, passageRank, ...sentence }];
    }),
  );
}

async function splitPassages(passages: readonly [string, Passage][], view: CorpusView, embedder: Embedder, contextSentences: number) {
  const files = [...new Set(passages.map(([, passage]) => passage.source))];
  const [texts, stored] = await Promise.all([view.index.texts(files), view.index.sentenceVectors(files)]);
  const split = passages.map(([key, passage]) => {
    const document = texts.get(passage.source);
    return { key, passage, spans: document ? passageSpans(document, passage.start, passage.end, contextSentences) : [] };
  });
  // Sentences embedded at ingest are looked up; only those of an older index are embedded now.
  const unstored = [...new Set(split.flatMap(({ spans }) => spans.map((span) => span.text)).filter((text) => !stored(text)))];
  const embedded = new Map<string, Float32Array>();
  if (unstored.length > 0) {
    (await embedder.embed(unstored)).forEach((vector, index) => {
      embedded.set(unstored[index] as string, vector);
    });
  }
  const vectorOf = (text: string) => stored(text) ?? embedded.get(text) ?? new Float32Array(embedder.dimensions);
  for (const { key, passage, spans } of split) {
    const dates = dateTerms(passage.date);
    const withVectors = spans.map((span): PassageSentence => {
      const own = new Set([...view.termsOf(span.text), ...dates]);
      const withPrevious = span.previous ? new Set([...own, ...view.termsOf(span.previous)]) : own;
      const around = span.following ? new Set([...withPrevious, ...view.termsOf(span.following)]) : withPrevious;
      return { ...span, vector: vectorOf(span.text), termSets: { date: passage.date, own, withPrevious, around } };
    });
    view.rememberPassage(key, withVectors);
  }
}

/** The sentences of a passage (those starting inside it), each with the ones before it and the one after it in its paragraph. */
function passageSpans(document: CorpusDocument, start: number, end: number, contextSentences: number) {
  const documentSentences = sentencesAround(document, start, end);
  return documentSentences.flatMap((sentence, index) => {
    if (sentence.start < start) return [];
    const previous = contextBefore(document, documentSentences, index, contextSentences);
    const next = documentSentences[index + 1];
    const following = next && next.paragraph === sentence.paragraph ? next.text : '';
    const { paragraph, text, block } = sentence;
    return [{ paragraph, start: sentence.start, end: sentence.end, text, previous, following, ...(block ? { block } : {}) }];
  });
}

/**
 * The sentences a reader has just read: the ones before it in the text. In a structured document
 * only those of its section, and a list item or table row is read after what introduces the list
 * (and the table's header), not after the item before it: siblings state separate things.
 */
function contextBefore(document: CorpusDocument, sentences: ReturnType<typeof sentencesAround>, index: number, count: number): string {
  const sentence = sentences[index];
  if (!sentence) return '';
  const before = sentences.slice(Math.max(0, index - count), index);
  if (sentence.block === undefined) return before.map((other) => other.text).join(' ');
  const sameBlock = (other: (typeof before)[number]) => other.paragraph === sentence.paragraph;
  const read = standsAlone(sentence.block)
    ? [leadInOf(document, sentence.paragraph), ...before.filter(sameBlock).map((other) => other.text)]
    : before
        .filter((other) => other.section === sentence.section && (sameBlock(other) || !standsAlone(other.block)))
        .map((other) => other.text);
  return read.filter((text) => text).join(' ');
}
