import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  COLLECTION_NAME_RULE,
  collectionNameProblem,
  collectionOf,
  documentIdFor,
  fileNameOf,
  isCollectionName,
} from '../../src/corpus/collections.js';
import { CorpusError, decodeText, readCorpus, readCorpusHashes } from '../../src/corpus/read.js';

const STORY = 'The bridge\n\nThe bridge was built in 1890 and rebuilt in 1950.\n';

function utf16(text: string, endian: 'le' | 'be'): Buffer {
  const body = Buffer.from(text, 'utf16le');
  if (endian === 'be') body.swap16();
  return Buffer.concat([Buffer.from(endian === 'le' ? [0xff, 0xfe] : [0xfe, 0xff]), body]);
}

describe('decoding a corpus file', () => {
  it.each([
    ['UTF-8', Buffer.from(STORY)],
    ['UTF-8 with a byte-order mark', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(STORY)])],
    ['UTF-16 LE with a byte-order mark (Windows Notepad)', utf16(STORY, 'le')],
    ['UTF-16 BE with a byte-order mark', utf16(STORY, 'be')],
  ])('reads %s as the same text', (_, bytes) => {
    expect(decodeText(bytes)).toEqual({ text: STORY });
  });

  it.each([
    ['an ELF binary', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0]), /binary \(it has NUL bytes\)/],
    ['Latin-1 text', Buffer.from('Café au lait, déjà vu.\n', 'latin1'), /not valid UTF-8 or UTF-16 text: save it as UTF-8/],
    ['control characters', Buffer.from(`${'\u0001\u0002\u0003'.repeat(10)}some text`), /binary \(30 control characters\)/],
  ])('refuses %s, saying why', (_, bytes, reason) => {
    const decoded = decodeText(bytes);
    expect('reason' in decoded && decoded.reason).toMatch(reason);
  });
});

describe('reading the corpus folder', () => {
  let folder: string;
  beforeEach(() => {
    folder = mkdtempSync(path.join(os.tmpdir(), 'corpus-read-'));
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  it('reads UTF-16 files, follows links to files, and says what it skipped and why', async () => {
    writeFileSync(path.join(folder, 'a.txt'), utf16(STORY, 'le'));
    writeFileSync(path.join(folder, 'b.txt'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 0]));
    const elsewhere = mkdtempSync(path.join(os.tmpdir(), 'corpus-target-'));
    writeFileSync(path.join(elsewhere, 'real.md'), '# Linked\n\nA linked story about a ferry.\n');
    symlinkSync(path.join(elsewhere, 'real.md'), path.join(folder, 'c.md'));
    symlinkSync(path.join(elsewhere, 'missing.txt'), path.join(folder, 'd.txt'));
    mkdirSync(path.join(folder, 'More'));
    try {
      const { documents, skipped } = await readCorpus(folder);
      expect(documents.map((document) => document.file)).toEqual(['a.txt', 'c.md']);
      expect(documents[0]?.raw).toBe(STORY);
      expect(documents[1]?.title).toBe('Linked');
      expect(skipped).toEqual(
        expect.arrayContaining([
          { file: 'b.txt', reason: 'binary (it has NUL bytes), not text' },
          { file: 'd.txt', reason: 'a link to nothing readable' },
          { file: 'More/', reason: `not read as a collection: a collection name is ${COLLECTION_NAME_RULE}; rename the folder` },
        ]),
      );
      expect(skipped).toHaveLength(3);

      // The hashes alone (a current index is checked with them): the same files, skips and hashes.
      const hashed = await readCorpusHashes(folder);
      expect(hashed.documents).toEqual(documents.map(({ file, contentHash }) => ({ file, contentHash })));
      expect(hashed.skipped).toEqual(skipped);
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it('names the skipped files when nothing is readable', async () => {
    writeFileSync(path.join(folder, 'only.txt'), Buffer.from([0, 1, 2]));
    await expect(readCorpus(folder)).rejects.toThrow(CorpusError);
    await expect(readCorpus(folder)).rejects.toThrow(/no readable \.txt, \.md, \.html, \.pdf files \(skipped: only\.txt: binary/);
    await expect(readCorpusHashes(folder)).rejects.toThrow(/no readable \.txt, \.md, \.html, \.pdf files \(skipped: only\.txt: binary/);
  });
});

describe('collections: the sub-folders of the corpus folder', () => {
  let folder: string;
  beforeEach(() => {
    folder = mkdtempSync(path.join(os.tmpdir(), 'corpus-collections-'));
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  const write = (relative: string, text = STORY) => {
    mkdirSync(path.dirname(path.join(folder, relative)), { recursive: true });
    writeFileSync(path.join(folder, relative), text);
  };

  it('reads one level of sub-folders as collections, ids `<collection>/<name>`; top files keep their bare names', async () => {
    write('top.txt');
    write('news/b.txt', 'Port opens\n\nThe port opened in May.\n');
    write('news/a.md');
    write('blog-2024_x/post.txt');
    write('news/deeper/c.txt');
    write('news/notes.pdf');
    write('default/d.txt');
    write('Bad Name/e.txt');
    write('.git/f.txt');
    write('news/.cache/g.txt');
    const { documents, skipped } = await readCorpus(folder);
    expect(documents.map((document) => document.file)).toEqual(['blog-2024_x/post.txt', 'news/a.md', 'news/b.txt', 'top.txt']);
    expect(documents.map((document) => collectionOf(document.file))).toEqual(['blog-2024_x', 'news', 'news', 'default']);
    expect(documents[2]?.title).toBe('Port opens');
    // Hidden folders (at the top or inside a collection) are passed over without a word.
    expect(skipped).toEqual(
      expect.arrayContaining([
        {
          file: 'news/deeper/',
          reason: 'a folder inside a collection: only files directly in CORPUS_DIR or in its sub-folders are read',
        },
        {
          file: 'default/',
          reason:
            'not read as a collection: "default" is the collection of the files at the top of CORPUS_DIR, not a folder name; rename the folder',
        },
        { file: 'Bad Name/', reason: `not read as a collection: a collection name is ${COLLECTION_NAME_RULE}; rename the folder` },
        // A text file named .pdf is read as a PDF, and refused by the PDF reader.
        { file: 'news/notes.pdf', reason: expect.stringMatching(/^not a readable PDF/), contentHash: expect.any(String) },
      ]),
    );
    expect(skipped).toHaveLength(4);
  });

  it('reads a corpus whose files are all in collections', async () => {
    write('one/a.txt');
    write('two/a.txt');
    const { documents } = await readCorpus(folder);
    expect(documents.map((document) => document.file)).toEqual(['one/a.txt', 'two/a.txt']);
  });

  it.each([
    ['news', null],
    ['a', null],
    ['x'.repeat(32), null],
    ['2024_reports-v2', null],
    ['x'.repeat(33), 'a collection name is'],
    ['News', 'a collection name is'],
    ['-news', 'a collection name is'],
    ['news/old', 'a collection name is'],
    ['', 'a collection name is'],
    ['default', '"default" is the collection of the files at the top'],
  ])('folder name %j: %s', (name, problem) => {
    const found = collectionNameProblem(name);
    if (problem === null) expect(found).toBeNull();
    else expect(found).toContain(problem);
  });

  it('maps a collection and a file name to the document id (= the path under CORPUS_DIR), and back', () => {
    expect(documentIdFor('default', 'a.txt')).toBe('a.txt');
    expect(documentIdFor('news', 'a.txt')).toBe('news/a.txt');
    expect(collectionOf('news/a.txt')).toBe('news');
    expect(collectionOf('a.txt')).toBe('default');
    expect(fileNameOf('news/a.txt')).toBe('a.txt');
    expect(fileNameOf('a.txt')).toBe('a.txt');
    expect(isCollectionName('default')).toBe(true);
    expect(isCollectionName('Default')).toBe(false);
    expect(() => documentIdFor('News', 'a.txt')).toThrow(RangeError);
    expect(() => documentIdFor('news', '../a.txt')).toThrow(/not a file name/);
    expect(() => documentIdFor('news', '..')).toThrow(/not a file name/);
  });
});
