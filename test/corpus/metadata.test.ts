import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { deriveTitle, isHeading, parseDocument, shorten, splitParagraphs } from '../../src/corpus/metadata.js';
import { readCorpus, CorpusError } from '../../src/corpus/read.js';
import { SEEDS_DIR } from '../support/workspace.js';

describe('splitParagraphs', () => {
  it.each([
    ['blank-line separated', 'One.\n\nTwo.\n', ['One.', 'Two.']],
    ['one paragraph a line', 'Headline\nFirst line.\nSecond line.', ['Headline', 'First line.', 'Second line.']],
    ['NBSP-only lines are blank', 'One.\n\n\u00a0\n\nTwo.', ['One.', 'Two.']],
    ['Windows line endings', 'One.\r\n\r\nTwo.\r\n', ['One.', 'Two.']],
    [
      'hard-wrapped lines join',
      'This paragraph was wrapped by an editor at a fixed width of about seventy\ncharacters, so it continues here.\n\nNext.',
      ['This paragraph was wrapped by an editor at a fixed width of about seventy\ncharacters, so it continues here.', 'Next.'],
    ],
    ['empty text', '', []],
  ])('%s', (_name, raw, expected) => {
    const { paragraphs } = splitParagraphs(raw);
    expect(paragraphs.map((paragraph) => paragraph.text)).toEqual(expected);
    for (const paragraph of paragraphs) expect(raw.slice(paragraph.start, paragraph.end)).toBe(paragraph.text);
    expect(paragraphs.map((paragraph) => paragraph.number)).toEqual(expected.map((_, index) => index + 1));
  });

  it('takes the date from a " date YYYY-MM-DD " prefix and leaves it out of the text', () => {
    const raw = ' date 2025-04-14 HANOI: Xi arrived.\n\nMore.';
    const { paragraphs, date } = splitParagraphs(raw);
    expect(date).toBe('2025-04-14');
    expect(paragraphs[0]?.text).toBe('HANOI: Xi arrived.');
    expect(raw.slice(paragraphs[0]?.start, paragraphs[0]?.end)).toBe('HANOI: Xi arrived.');
  });
});

describe('titles', () => {
  it('uses a headline first line', () => {
    const document = parseDocument('a.txt', 'China and Vietnam Strengthen Ties\nThe leaders met on Monday.');
    expect(document.title).toBe('China and Vietnam Strengthen Ties');
  });

  it('uses the first sentence without its dateline when there is no headline, shortened at a word', () => {
    const document = parseDocument(
      'b.txt',
      ' date 2025-04-14 HANOI: China’s President Xi Jinping on Monday called for stronger ties with Vietnam on trade and supply chains. Then more.',
    );
    expect(document.title).toBe('China’s President Xi Jinping on Monday called for stronger ties with Vietnam on trade…');
    expect(document.date).toBe('2025-04-14');
  });

  it('strips Markdown heading marks', () => {
    expect(parseDocument('c.md', '# Rail links\n\nBody text here.').title).toBe('Rail links');
  });

  it('falls back to the file name for an empty file', () => {
    expect(deriveTitle([], 'empty.txt')).toBe('empty.txt');
  });

  it.each([
    ['Major Railway Projects Get the Green Light', true],
    ['The goal is to reduce transport times.', false],
    ['“There are no winners in trade wars,” Xi added', false],
    ['## Section', true],
  ])('isHeading(%j) is %s', (text, expected) => {
    expect(isHeading(text)).toBe(expected);
  });

  it('shorten keeps short text and cuts long text at a word', () => {
    expect(shorten('short', 10)).toBe('short');
    expect(shorten('one two three four five', 12)).toBe('one two…');
  });
});

describe('the seed corpus', () => {
  it('reads all five seeds with dates, titles and exact paragraph offsets', async () => {
    const { documents } = await readCorpus(SEEDS_DIR);
    expect(documents.map((document) => document.file)).toEqual([
      '000_7bb7f1e19a806c78.txt',
      '001_77b7f39d73393a4f.txt',
      '002_21a587edf0f19edc.txt',
      '003_f015f23f54aca59a.txt',
      '004_f87e3345d6d88ebb.txt',
    ]);
    expect(documents.map((document) => document.date)).toEqual(['2025-04-14', null, null, '2023-12-12', null]);
    expect(documents[1]?.title).toBe('China and Vietnam Strengthen Economic and Railway Ties');
    for (const document of documents) {
      const raw = await readFile(path.join(SEEDS_DIR, document.file), 'utf8');
      expect(document.raw).toBe(raw);
      for (const paragraph of document.paragraphs) {
        expect(raw.slice(paragraph.start, paragraph.end)).toBe(paragraph.text);
        expect(paragraph.text).not.toMatch(/^\s|\s$|^date \d/);
      }
    }
  });

  it('explains an unreadable or empty corpus folder', async () => {
    await expect(readCorpus('/nonexistent/corpus')).rejects.toThrow(CorpusError);
    await expect(readCorpus('/nonexistent/corpus')).rejects.toThrow(/CORPUS_DIR/);
    await expect(readCorpus(path.join(SEEDS_DIR, '..', 'src', 'render'))).rejects.toThrow(/no readable \.txt, \.md, \.html, \.pdf files/);
  });
});
