import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SourceExistsError, SourceMissingError, stageRemove, stageWrite } from '../../src/corpus/write.js';

let dir: string;
const bytes = (text: string) => new TextEncoder().encode(text);
/** Every name in the folder, hidden ones too (a leftover temp file would show here). */
const listing = async (folder = dir) => (await readdir(folder)).sort();

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'seed-quotes-write-'));
  await writeFile(path.join(dir, 'old.md'), 'old text');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('stageWrite', () => {
  it('puts a new file in place; commit keeps it, with no temp file left', async () => {
    const staged = await stageWrite(path.join(dir, 'new.md'), bytes('new text'), { replace: false });
    expect(staged.replaced).toBe(false);
    expect(await readFile(path.join(dir, 'new.md'), 'utf8')).toBe('new text');
    await staged.commit();
    expect(await listing()).toEqual(['new.md', 'old.md']);
  });

  it('rollback of a new file takes it away again', async () => {
    const staged = await stageWrite(path.join(dir, 'new.md'), bytes('new text'), { replace: false });
    await staged.rollback();
    expect(await listing()).toEqual(['old.md']);
  });

  it('refuses to overwrite without replace, and leaves the folder as it was', async () => {
    await expect(stageWrite(path.join(dir, 'old.md'), bytes('other'), { replace: false })).rejects.toBeInstanceOf(SourceExistsError);
    expect(await readFile(path.join(dir, 'old.md'), 'utf8')).toBe('old text');
    expect(await listing()).toEqual(['old.md']);
  });

  it('replaces with replace; rollback puts the old version back, commit drops it', async () => {
    const first = await stageWrite(path.join(dir, 'old.md'), bytes('new version'), { replace: true });
    expect(first.replaced).toBe(true);
    expect(await readFile(path.join(dir, 'old.md'), 'utf8')).toBe('new version');
    await first.rollback();
    expect(await readFile(path.join(dir, 'old.md'), 'utf8')).toBe('old text');
    expect(await listing()).toEqual(['old.md']);

    const second = await stageWrite(path.join(dir, 'old.md'), bytes('new version'), { replace: true });
    await second.commit();
    expect(await readFile(path.join(dir, 'old.md'), 'utf8')).toBe('new version');
    expect(await listing()).toEqual(['old.md']);
  });

  it('makes a collection folder for a new file, and takes it away on rollback', async () => {
    const staged = await stageWrite(path.join(dir, 'news', 'a.md'), bytes('text'), { replace: false });
    expect(await listing()).toEqual(['news', 'old.md']);
    await staged.rollback();
    expect(await listing()).toEqual(['old.md']);
  });
});

describe('stageRemove', () => {
  it('takes the file out; rollback puts it back, commit deletes it', async () => {
    const staged = await stageRemove(path.join(dir, 'old.md'));
    expect((await listing()).filter((name) => !name.startsWith('.'))).toEqual([]);
    await staged.rollback();
    expect(await readFile(path.join(dir, 'old.md'), 'utf8')).toBe('old text');
    await (await stageRemove(path.join(dir, 'old.md'))).commit();
    expect(await listing()).toEqual([]);
  });

  it('refuses a file that is not there', async () => {
    await expect(stageRemove(path.join(dir, 'missing.md'))).rejects.toBeInstanceOf(SourceMissingError);
  });
});
