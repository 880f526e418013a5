import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { documentSentences } from '../../src/chunk/chunk.js';
import { type CorpusDocument, marksWithin, pageAt, sourceOffset } from '../../src/core/types.js';
import { readCorpus } from '../../src/corpus/read.js';
import { readDocumentFile } from '../../src/corpus/readers/index.js';
import { FIXTURES, MARKDOWN, PAGE } from '../support/documents-corpus.js';

async function read(file: string, content: string | Uint8Array): Promise<CorpusDocument> {
  const result = await readDocumentFile(file, typeof content === 'string' ? Buffer.from(content) : content);
  if ('reason' in result) throw new Error(result.reason);
  return result;
}

const blocks = (document: CorpusDocument) => document.paragraphs.map((paragraph) => [paragraph.kind, paragraph.text]);
const quotable = (document: CorpusDocument) => documentSentences(document).map((sentence) => sentence.text);

describe('the Markdown reader', () => {
  it('reads blocks by kind, joins hard wraps, keeps code as code and drops front matter and comments', async () => {
    const document = await read('guide.md', MARKDOWN);
    expect(document.format).toBe('markdown');
    expect(document.title).toBe('Harbour guide');
    expect(document.date).toBe('2024-05-02');
    expect(blocks(document)).toEqual([
      ['heading', 'Harbour guide'],
      ['paragraph', 'The harbour opens at six and closes at ten, except on holidays when it stays open all night.'],
      ['heading', 'Berths'],
      ['list-item', 'Visitor berths are on pontoon C.'],
      ['list-item', 'Nested: long boats go to pontoon D.'],
      ['list-item', 'Fees are paid at the office.'],
      ['table-row', 'Berth | Fee'],
      ['table-row', 'Visitor | 30 a night'],
      ['paragraph', 'Boats longer than twelve metres book their berth ahead with the harbour tool.'],
      ['code', 'harbour --book C12 # Books a berth.'],
      ['quote', 'Moor bow first.'],
    ]);
    expect(document.raw).not.toMatch(/do not quote|title:|\*\*|\]\(/);
  });

  it('quotes prose only, cites sections, and maps every quote back into the source file', async () => {
    const document = await read('guide.md', MARKDOWN);
    const sentences = documentSentences(document);
    expect(sentences.map((sentence) => sentence.text)).not.toContain('harbour --book C12 # Books a berth.');
    const fees = document.paragraphs.find((paragraph) => paragraph.text.startsWith('Fees'));
    expect(fees?.section).toBe('Berths');
    // "ten, except on `holidays`": the joined line maps back to where each word stands in the file.
    const at = document.raw.indexOf('ten, except');
    expect(MARKDOWN.slice(sourceOffset(document, at), sourceOffset(document, at) + 11)).toBe('ten, except');
    const holidays = document.raw.indexOf('holidays');
    expect(MARKDOWN.slice(sourceOffset(document, holidays), sourceOffset(document, holidays) + 8)).toBe('holidays');
    expect(marksWithin(document, holidays - 3, holidays + 20)).toEqual([{ start: 3, end: 11, kind: 'code' }]);
  });
});

describe('a date prefix, as the plain-text corpus writes it', () => {
  it('gives a Markdown document its date and leaves the prefix out of the text', async () => {
    const source = '# Lighthouse\n\n date 2026-03-02 VARNU: Volunteers finished the `lamp`.\n';
    const document = await read('lighthouse.md', source);
    expect(document.date).toBe('2026-03-02');
    expect(document.paragraphs[1]?.text).toBe('VARNU: Volunteers finished the lamp.');
    const at = document.raw.indexOf('Volunteers');
    expect(source.slice(sourceOffset(document, at)).startsWith('Volunteers')).toBe(true);
    expect(marksWithin(document, 0, document.raw.length)).toEqual([
      { start: document.raw.indexOf('lamp'), end: document.raw.indexOf('lamp') + 4, kind: 'code' },
    ]);
  });
});

describe('the web page reader', () => {
  it('keeps the article, drops navigation, asides, footers and scripts, and reads title, date and address', async () => {
    const document = await read('ferry.html', PAGE);
    expect(document.title).toBe('Ferry timetable changes');
    expect(document.date).toBe('2024-03-09');
    expect(document.structure?.url).toBe('https://news.example/ferry');
    expect(document.raw).toContain('The island ferry will run every forty minutes from April');
    expect(document.raw).not.toMatch(/Subscribe|World news|whale|All rights reserved|¶|forty thousand/);
    const why = document.paragraphs.find((paragraph) => paragraph.text.startsWith('The operator said'));
    expect(why?.section).toBe('Why');
    expect(blocks(document).find(([kind]) => kind === 'code')).toEqual(['code', '06:00 07:20 08:40']);
    expect(quotable(document)).not.toContain('06:00 07:20 08:40');
  });

  it('keeps only an http(s) canonical address, never a script or a relative one', async () => {
    for (const href of ['javascript:alert(1)', '/ferry', 'not a url']) {
      const document = await read('ferry.html', PAGE.replace('https://news.example/ferry', href));
      expect(document.structure?.url).toBeUndefined();
    }
  });

  it('maps quotes back into the HTML and keeps inline code and emphasis as marks', async () => {
    const document = await read('ferry.html', PAGE);
    const at = document.raw.indexOf('commuters who travel');
    expect(PAGE.slice(sourceOffset(document, at)).startsWith('commuters who travel')).toBe(true);
    const price = document.raw.indexOf('12.50');
    expect(marksWithin(document, price, price + 5)).toEqual([{ start: 0, end: 5, kind: 'code' }]);
    const years = document.raw.indexOf('years');
    expect(marksWithin(document, years, years + 5)).toEqual([{ start: 0, end: 5, kind: 'emphasis' }]);
  });
});

describe('the PDF reader', () => {
  it('drops the running header and page numbers, keeps a sentence across a page break whole, and knows each page', async () => {
    const document = await read('report.pdf', readFileSync(path.join(FIXTURES, 'report.pdf')));
    expect(document.format).toBe('pdf');
    expect(document.raw).not.toMatch(/internal|Page \d/);
    const sentences = quotable(document);
    const across = sentences.find((sentence) => sentence.includes('without a break'));
    expect(across).toBe(
      'Filler paragraph three describes the volunteers, forty-two people in all, of whom nineteen counted on more than ten mornings, ' +
        'and the most faithful of them, a retired ferry captain who lived above the chandlery, counted on every single one of the ' +
        'forty-two mornings without a break, rain or shine.',
    );
    const first = document.raw.indexOf('The survey counted boats');
    const last = document.raw.indexOf('The survey should be repeated');
    expect(pageAt(document, first)).toBe(1);
    expect(pageAt(document, last)).toBe(2);
    expect(pageAt(document, document.raw.indexOf('rain or shine'))).toBe(2);
    const recommendation = document.paragraphs.find((paragraph) => paragraph.text.startsWith('The harbour office should add'));
    expect(recommendation?.section).toBe('Recommendations');
    expect(blocks(document)).toContainEqual(['code', 'tally --harbour north --date today --upload']);
    expect(sentences.some((sentence) => sentence.includes('tally --harbour'))).toBe(false);
  });

  it.each([
    ['scanned.pdf', /no text layer \(a scanned PDF\?\)/],
    ['encrypted.pdf', /encrypted PDF/],
  ])('refuses %s, saying why', async (file, reason) => {
    const result = await readDocumentFile(file, readFileSync(path.join(FIXTURES, file)));
    expect('reason' in result && result.reason).toMatch(reason);
  });

  it('refuses a file that is no PDF at all', async () => {
    const result = await readDocumentFile('broken.pdf', Buffer.from('%PDF-1.7\nthis is not really a PDF\n'));
    expect('reason' in result && result.reason).toMatch(/not a readable PDF/);
  });
});

describe('reading a corpus of several formats', () => {
  let folder: string;
  beforeEach(() => {
    folder = mkdtempSync(path.join(os.tmpdir(), 'readers-'));
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  it('reads every format and skips what cannot be read with its reason, never stopping the rest', async () => {
    writeFileSync(path.join(folder, 'guide.md'), MARKDOWN);
    writeFileSync(path.join(folder, 'ferry.html'), PAGE);
    writeFileSync(path.join(folder, 'notes.txt'), 'Notes\n\nThe slipway is closed on Mondays.\n');
    for (const file of ['report.pdf', 'scanned.pdf', 'encrypted.pdf'])
      writeFileSync(path.join(folder, file), readFileSync(path.join(FIXTURES, file)));
    writeFileSync(path.join(folder, 'huge.pdf'), '');
    truncateSync(path.join(folder, 'huge.pdf'), 50 * 1024 * 1024);
    const corpus = await readCorpus(folder);
    expect(corpus.documents.map((document) => [document.file, document.format ?? 'text'])).toEqual([
      ['ferry.html', 'html'],
      ['guide.md', 'markdown'],
      ['notes.txt', 'text'],
      ['report.pdf', 'pdf'],
    ]);
    expect(corpus.skipped).toEqual([
      { file: 'encrypted.pdf', reason: expect.stringMatching(/encrypted PDF/), contentHash: expect.stringMatching(/^[0-9a-f]{64}$/) },
      { file: 'huge.pdf', reason: '50 MB, over the 50 MB read per document' },
      { file: 'scanned.pdf', reason: expect.stringMatching(/no text layer/), contentHash: expect.stringMatching(/^[0-9a-f]{64}$/) },
    ]);
  });
});
