import { describe, expect, it } from 'vitest';
import { documentSentences } from '../../src/chunk/chunk.js';
import type { CorpusDocument, Quote } from '../../src/core/types.js';
import { parseDocument } from '../../src/corpus/metadata.js';
import { readDocumentFile } from '../../src/corpus/readers/index.js';
import { wholeQuote } from '../../src/answer/whole-quote.js';

const MARKDOWN = `# Tools

Undici supports the diagnostics channel. It is the preferred way to instrument Undici.

When a script file is used, it is sometimes useful to enter interactive mode afterwards. This can be done by passing -i before the script. The interpreter then waits.

- It is a list item that stands alone.
- Another item.

The harbour opens at six. The café opens at seven.

For overlapping content types, the parser checks the last one first. Which one wins? The first one registered never runs.
`;

async function markdown(): Promise<CorpusDocument> {
  const result = await readDocumentFile('tools.md', Buffer.from(MARKDOWN));
  if ('reason' in result) throw new Error(result.reason);
  return result;
}

/** A quote of the document's sentence that starts with `opening`, as the engine cites one. */
function quoteOf(document: CorpusDocument, opening: string): Quote {
  const sentence = documentSentences(document).find((candidate) => candidate.text.startsWith(opening));
  if (!sentence) throw new Error(`no sentence starts with ${opening}`);
  const { paragraph, start, end, text } = sentence;
  return {
    source: document.file,
    title: document.title,
    date: document.date,
    paragraph,
    chunkId: `${document.file}#c`,
    start,
    end,
    text,
    score: 1,
    alsoIn: [],
  };
}

describe('a quote with what it points to', () => {
  it('takes the sentence before when the quote opens by pointing back to it, verbatim from the document', async () => {
    const document = await markdown();
    const quote = wholeQuote(quoteOf(document, 'It is the preferred'), document);
    expect(quote.text).toBe('Undici supports the diagnostics channel. It is the preferred way to instrument Undici.');
    expect(document.raw.slice(quote.start, quote.end)).toBe(quote.text);
  });

  it('takes the sentence after when that one points back to the quote, and no further', async () => {
    const document = await markdown();
    const quote = wholeQuote(quoteOf(document, 'When a script file'), document);
    expect(quote.text).toBe(
      'When a script file is used, it is sometimes useful to enter interactive mode afterwards. This can be done by passing -i before the script.',
    );
    expect(document.raw.slice(quote.start, quote.end)).toBe(quote.text);
  });

  it('leaves sentences that stand alone and list items as they are', async () => {
    const document = await markdown();
    for (const opening of ['The harbour opens', 'The café opens', 'It is a list item']) {
      const quote = quoteOf(document, opening);
      expect(wholeQuote(quote, document)).toEqual(quote);
    }
  });

  it("for an answer, takes the paragraph's next sentence when the two fit the length given, never a question", async () => {
    const document = await markdown();
    const harbour = wholeQuote(quoteOf(document, 'The harbour opens'), document, 400);
    expect(harbour.text).toBe('The harbour opens at six. The café opens at seven.');
    expect(document.raw.slice(harbour.start, harbour.end)).toBe(harbour.text);
    // Too long together, or the last sentence of its paragraph: as it was.
    expect(wholeQuote(quoteOf(document, 'The harbour opens'), document, 40).text).toBe('The harbour opens at six.');
    expect(wholeQuote(quoteOf(document, 'The café opens'), document, 400).text).toBe('The café opens at seven.');
    // The next sentence asks: not shown.
    expect(wholeQuote(quoteOf(document, 'For overlapping'), document, 400).text).toBe(
      'For overlapping content types, the parser checks the last one first.',
    );
  });

  it('reads plain text the same way, within its paragraphs', () => {
    const raw = 'Talks\n\nThe two sides fought a brief war in 1974.  They clashed again in 1988.\n\nIt rained.\n';
    const document = parseDocument('talks.txt', raw);
    const quote = wholeQuote(quoteOf(document, 'The two sides'), document);
    expect(quote.text).toBe('The two sides fought a brief war in 1974.  They clashed again in 1988.');
    expect(raw.slice(quote.start, quote.end)).toBe(quote.text);
    // "It rained." opens a paragraph of its own: nothing before it in its paragraph.
    expect(wholeQuote(quoteOf(document, 'It rained'), document).text).toBe('It rained.');
  });
});
