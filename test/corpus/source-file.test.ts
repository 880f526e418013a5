import { describe, expect, it } from 'vitest';
import {
  checkCollectionName,
  checkDeclaredSource,
  checkSourceBytes,
  checkSourceFile,
  MAX_SOURCE_BYTES,
  MAX_SOURCE_NAME_BYTES,
  sanitiseSourceName,
  sourcePath,
} from '../../src/corpus/source-file.js';

const utf8 = (text: string) => new TextEncoder().encode(text);

describe('sanitiseSourceName', () => {
  it.each([
    ['notes.md', 'notes.md'],
    ['Notes.MD', 'notes.md'],
    ['My Trade  Notes (final).txt', 'my-trade-notes-final.txt'],
    ['Résumé des faits.md', 'résumé-des-faits.md'],
    ['北京 报告.txt', '北京-报告.txt'],
    ['a_b-c.v2.txt', 'a_b-c.v2.txt'],
    ['--weird--name--.md', 'weird-name.md'],
    ['emoji 🎉 party.txt', 'emoji-party.txt'],
  ])('%s → %s', (sent, stored) => {
    expect(sanitiseSourceName(sent)).toEqual({ ok: true, name: stored });
  });

  it.each([
    ['../etc/passwd.txt', /has a path in its name/],
    ['notes/../x.md', /has a path in its name/],
    ['dir\\notes.md', /has a path in its name/],
    ['a..md', /has a path in its name/],
    ['.hidden.md', /starts with a dot/],
    ['bad\u0000name.md', /control characters/],
    ['line\nbreak.txt', /control characters/],
    ['report.docx', /not a \.txt, \.md, \.html or \.pdf file/],
    ['notes.markdown', /not a \.txt, \.md, \.html or \.pdf file/],
    ['README', /not a \.txt, \.md, \.html or \.pdf file/],
    ['🎉🎉.md', /no letters or digits/],
    ['.md', /starts with a dot/],
  ])('refuses %j', (sent, reason) => {
    const checked = sanitiseSourceName(sent);
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.reason).toMatch(reason);
  });

  it('shortens a long name to fit 100 UTF-8 bytes, on a character boundary, keeping the extension', () => {
    const checked = sanitiseSourceName(`${'é'.repeat(300)}.txt`);
    expect(checked.ok).toBe(true);
    if (!checked.ok) return;
    expect(checked.name.endsWith('.txt')).toBe(true);
    expect(Buffer.byteLength(checked.name)).toBeLessThanOrEqual(MAX_SOURCE_NAME_BYTES);
    expect(checked.name).toBe(`${'é'.repeat(48)}.txt`);
  });
});

describe('checkDeclaredSource', () => {
  it('accepts a text file within 1 MB, with or without a content type', () => {
    for (const contentType of [null, 'text/plain; charset=utf-8', 'text/markdown', 'application/octet-stream']) {
      expect(checkDeclaredSource({ name: 'A B.md', size: 10, contentType })).toEqual({ ok: true, name: 'a-b.md' });
    }
    expect(checkDeclaredSource({ name: 'a.txt', size: MAX_SOURCE_BYTES, contentType: 'text/plain' }).ok).toBe(true);
  });

  it('refuses a declared size over 1 MB before anything is downloaded', () => {
    expect(checkDeclaredSource({ name: 'big.txt', size: MAX_SOURCE_BYTES + 1, contentType: 'text/plain' })).toEqual({
      ok: false,
      reason: '`big.txt` is 1.01 MB; the limit is 1 MB.',
    });
    expect(checkDeclaredSource({ name: 'big.txt', size: 5 * 1024 * 1024, contentType: null })).toEqual({
      ok: false,
      reason: '`big.txt` is 5 MB; the limit is 1 MB.',
    });
  });

  it('refuses a content type that is not text', () => {
    const checked = checkDeclaredSource({ name: 'photo.txt', size: 100, contentType: 'image/png' });
    expect(checked).toEqual({ ok: false, reason: '`photo.txt` is image/png, not text: only .txt, .md, .html or .pdf files can be added.' });
  });
});

describe('checkSourceBytes', () => {
  it('returns the text of UTF-8, dropping a byte-order mark', () => {
    expect(checkSourceBytes('a.md', utf8('# Title\n\nText é.'))).toEqual({ ok: true, text: '# Title\n\nText é.' });
    expect(checkSourceBytes('a.md', new Uint8Array([0xef, 0xbb, 0xbf, ...utf8('Hi.')]))).toEqual({ ok: true, text: 'Hi.' });
  });

  it.each([
    ['empty', new Uint8Array(), /is empty/],
    ['blank', utf8(' \n\t\n  '), /only blank space/],
    ['Latin-1', new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x20, 0x6f, 0x6b]), /not valid UTF-8 text: save it as UTF-8/],
    ['UTF-16 LE', new Uint8Array([0xff, 0xfe, 0x48, 0x00, 0x69, 0x00]), /UTF-16 text: save it as UTF-8/],
    ['UTF-16 BE', new Uint8Array([0xfe, 0xff, 0x00, 0x48, 0x00, 0x69]), /UTF-16 text: save it as UTF-8/],
    ['binary', new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x00, 0x01, 0x02]), /binary/],
    ['over 1 MB', new Uint8Array(MAX_SOURCE_BYTES + 1).fill(0x61), /larger than 1 MB/],
  ])('refuses %s bytes', (_, bytes, reason) => {
    const checked = checkSourceBytes('a.txt', bytes);
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.reason).toMatch(reason);
  });
});

describe('checkSourceFile', () => {
  it('is the declared checks, then the bytes', () => {
    expect(checkSourceFile({ name: 'Field Notes.TXT', size: 5, contentType: 'text/plain' }, utf8('Hello'))).toEqual({
      ok: true,
      name: 'field-notes.txt',
      text: 'Hello',
    });
    expect(checkSourceFile({ name: 'x.exe', size: 5, contentType: null }, utf8('Hello')).ok).toBe(false);
    expect(checkSourceFile({ name: 'x.txt', size: 5, contentType: null }, new Uint8Array()).ok).toBe(false);
  });
});

describe('collections', () => {
  it('accepts 1-32 lowercase letters, digits, - and _', () => {
    for (const name of ['default', 'news', 'a', 'x_1-2', 'a'.repeat(32)]) expect(checkCollectionName(name).ok).toBe(true);
    for (const name of ['', 'News', 'a b', '../x', 'a/b', 'é', '-x', 'a'.repeat(33)]) expect(checkCollectionName(name).ok).toBe(false);
  });

  it('puts the default collection at the top of the corpus folder, another in its sub-folder', () => {
    expect(sourcePath('/corpus', 'default', 'a.md')).toBe('/corpus/a.md');
    expect(sourcePath('/corpus', 'news', 'a.md')).toBe('/corpus/news/a.md');
  });
});
