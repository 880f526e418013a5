import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CorpusError, decodeText, readCorpus } from '../../src/corpus/read.js';

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
    mkdirSync(path.join(folder, 'more'));
    try {
      const { documents, skipped } = await readCorpus(folder);
      expect(documents.map((document) => document.file)).toEqual(['a.txt', 'c.md']);
      expect(documents[0]?.raw).toBe(STORY);
      expect(documents[1]?.title).toBe('Linked');
      expect(skipped).toEqual(
        expect.arrayContaining([
          { file: 'b.txt', reason: 'binary (it has NUL bytes), not text' },
          { file: 'd.txt', reason: 'a link to nothing readable' },
          { file: 'more/', reason: 'a sub-folder: only the files directly in CORPUS_DIR are read' },
        ]),
      );
      expect(skipped).toHaveLength(3);
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it('names the skipped files when nothing is readable', async () => {
    writeFileSync(path.join(folder, 'only.txt'), Buffer.from([0, 1, 2]));
    await expect(readCorpus(folder)).rejects.toThrow(CorpusError);
    await expect(readCorpus(folder)).rejects.toThrow(/no readable \.txt or \.md files \(skipped: only\.txt: binary/);
  });
});
