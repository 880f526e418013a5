/**
 * `npm start` / `npm run ask` compile src/ only when it changed since the last build
 * (scripts/run-built.mjs): real files in a temp folder, their times set by hand.
 */
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain Node script without type declarations
import { isStale } from '../../scripts/run-built.mjs';

let root: string;
const at = (file: string, seconds: number) => utimes(path.join(root, file), seconds, seconds);

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'run-built-'));
  await mkdir(path.join(root, 'src', 'answer'), { recursive: true });
  await mkdir(path.join(root, 'dist'));
  await writeFile(path.join(root, 'src', 'answer', 'engine.ts'), 'export {};\n');
  await writeFile(path.join(root, 'tsconfig.json'), '{}');
  for (const file of ['src/answer/engine.ts', 'src/answer', 'src', 'tsconfig.json']) await at(file, 1_000);
});
afterEach(() => rm(root, { recursive: true, force: true }));

describe('isStale', () => {
  it('builds when there is no build yet', () => {
    expect(isStale(root)).toBe(true);
  });

  it('skips the compiler when nothing changed since the build', async () => {
    await writeFile(path.join(root, 'dist', '.tsbuildinfo'), '{}');
    await at('dist/.tsbuildinfo', 2_000);
    expect(isStale(root)).toBe(false);
  });

  it('builds after a source or a tsconfig is saved, and after a file is deleted', async () => {
    await writeFile(path.join(root, 'dist', '.tsbuildinfo'), '{}');
    await at('dist/.tsbuildinfo', 2_000);
    await at('src/answer/engine.ts', 3_000);
    expect(isStale(root)).toBe(true);
    await at('src/answer/engine.ts', 1_000);
    await at('tsconfig.json', 3_000);
    expect(isStale(root)).toBe(true);
    await at('tsconfig.json', 1_000);
    // Deleting a file changes only its folder's time.
    await at('src/answer', 3_000);
    expect(isStale(root)).toBe(true);
  });
});
