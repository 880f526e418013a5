import { describe, expect, it } from 'vitest';
import type { BlockKind } from '../../src/core/types.js';
import { chunkDocument, embeddingText, leadInOf, paragraphAt } from '../../src/chunk/chunk.js';
import { parseDocument } from '../../src/corpus/metadata.js';
import { readCorpus } from '../../src/corpus/read.js';
import { SEEDS_DIR } from '../support/workspace.js';

const sentence = (index: number) => `Sentence number ${index} talks about railways and tariffs in some detail.`;

describe('chunkDocument', () => {
  it('keeps a short paragraph whole and never crosses paragraphs without overlap', () => {
    const document = parseDocument('a.txt', 'First paragraph here.\n\nSecond paragraph here.');
    const chunks = chunkDocument(document, { maxChars: 1000, overlap: false });
    expect(chunks.map((chunk) => chunk.text)).toEqual(['First paragraph here.\n\nSecond paragraph here.']);
    const separate = chunkDocument(document, { maxChars: 25, overlap: false });
    expect(separate.map((chunk) => chunk.text)).toEqual(['First paragraph here.', 'Second paragraph here.']);
    expect(separate.map((chunk) => chunk.id)).toEqual(['a.txt#p1.1', 'a.txt#p2.1']);
  });

  it('splits a long paragraph at sentence boundaries within maxChars', () => {
    const text = Array.from({ length: 12 }, (_, index) => sentence(index)).join(' ');
    const document = parseDocument('long.txt', text);
    const chunks = chunkDocument(document, { maxChars: 200, overlap: false });
    expect(chunks.length).toBeGreaterThan(3);
    for (const chunk of chunks) {
      expect(chunk.text.length).toBeLessThanOrEqual(200);
      expect(chunk.text).toMatch(/^Sentence number \d+ .*detail\.$/);
      expect(chunk.paragraph).toBe(1);
    }
    expect(chunks.map((chunk) => chunk.text).join(' ')).toBe(text);
    expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(chunks.length);
  });

  it('keeps a single sentence longer than maxChars whole rather than cutting words', () => {
    const long = `${'word '.repeat(80).trim()}.`;
    const chunks = chunkDocument(parseDocument('x.txt', long), { maxChars: 100, overlap: false });
    expect(chunks.map((chunk) => chunk.text)).toEqual([long]);
  });

  it('with overlap, every paragraph starts a chunk that runs into the next ones', () => {
    const document = parseDocument('o.txt', 'One is here.\n\nTwo is here.\n\nThree is here.');
    const chunks = chunkDocument(document, { maxChars: 30, overlap: true });
    expect(chunks.map((chunk) => chunk.text)).toEqual(['One is here.\n\nTwo is here.', 'Two is here.\n\nThree is here.', 'Three is here.']);
    expect(chunks.map((chunk) => chunk.paragraph)).toEqual([1, 2, 3]);
  });

  it('turns headings into section context, never chunk text, and does not cross them', () => {
    const document = parseDocument(
      'h.txt',
      'Big Headline\nIntro sentence here.\nRail Links\nThe railway will link Kunming.\nPlanes\nCOMAC planes fly.',
    );
    const chunks = chunkDocument(document, { maxChars: 1000, overlap: true });
    expect(chunks.map((chunk) => [chunk.text, chunk.section])).toEqual([
      ['Intro sentence here.', null],
      ['The railway will link Kunming.', 'Rail Links'],
      ['COMAC planes fly.', 'Planes'],
    ]);
    expect(embeddingText(document, chunks[1]!)).toBe('Big Headline\nRail Links\nThe railway will link Kunming.');
  });

  it('returns no chunks for an empty document and rejects a non-positive size', () => {
    expect(chunkDocument(parseDocument('e.txt', ''), { maxChars: 100, overlap: false })).toEqual([]);
    expect(() => chunkDocument(parseDocument('e.txt', 'x.'), { maxChars: 0, overlap: false })).toThrow(RangeError);
  });

  it('chunks of the seeds are exact slices of their files and cite the right paragraph', async () => {
    for (const document of (await readCorpus(SEEDS_DIR)).documents) {
      for (const chunk of chunkDocument(document, { maxChars: 900, overlap: true })) {
        expect(document.raw.slice(chunk.start, chunk.end)).toBe(chunk.text);
        expect(paragraphAt(document, chunk.start)).toBe(chunk.paragraph);
        expect(chunk.text.length).toBeLessThanOrEqual(900);
        expect(chunk.text).not.toMatch(/date \d{4}-\d{2}-\d{2}/);
      }
    }
  });
});

describe('leadInOf', () => {
  const paragraph = (number: number, text: string, kind: BlockKind, section: string | null = 'Errors') => ({
    number,
    start: 0,
    end: text.length,
    text,
    kind,
    section,
  });
  const document = {
    paragraphs: [
      paragraph(1, 'Errors', 'heading', null),
      paragraph(2, 'Every error below extends UndiciError. They are thrown as follows.', 'paragraph'),
      paragraph(3, 'Error | Error Code | Description', 'table-row'),
      paragraph(4, 'ClientClosedError | UND_ERR_CLOSED | trying to use a closed client.', 'table-row'),
      paragraph(5, 'Options', 'heading', null),
      paragraph(6, 'timeout - Default: 30e3.', 'list-item', 'Options'),
      paragraph(7, 'retries - Default: 3.', 'list-item', 'Options'),
    ],
  };

  it('reads a table row after the sentence introducing the table and its header row', () => {
    expect(leadInOf(document, 4)).toBe('They are thrown as follows. Error | Error Code | Description');
  });

  it('reads a list item after nothing when its section starts with the list, never after the item before it', () => {
    expect(leadInOf(document, 7)).toBe('');
  });

  it('reads a table right after a list with its own header row, not the list’s first item', () => {
    const listThenTable = {
      paragraphs: [
        paragraph(1, 'Fees are paid at the office.', 'list-item', 'Berths'),
        paragraph(2, 'Berth | Fee', 'table-row', 'Berths'),
        paragraph(3, 'Visitor | 30 a night', 'table-row', 'Berths'),
      ],
    };
    expect(leadInOf(listThenTable, 3)).toBe('Berth | Fee');
  });
});
