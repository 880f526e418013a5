/** The figures and defaults that documentation states, checked against what the program does and builds. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { MODEL_CACHE_DIR, PROJECT_DIR } from '../support/workspace.js';

const envExample = readFileSync(path.join(PROJECT_DIR, '.env.example'), 'utf8');

function folderMegabytes(folder: string): number {
  const bytes = readdirSync(folder, { recursive: true, encoding: 'utf8' })
    .map((entry) => statSync(path.join(folder, entry)))
    .filter((info) => info.isFile())
    .reduce((sum, info) => sum + info.size, 0);
  return bytes / 1024 / 1024;
}

describe('.env.example', () => {
  it('shows every setting with its real default (an empty value means "unset")', () => {
    const settings = [...envExample.matchAll(/^([A-Z_]+)=(.*)$/gm)].map(([, name, value]) => [name ?? '', value ?? ''] as const);
    expect(settings.length).toBeGreaterThan(15);
    const defaults = loadConfig({}, { baseDir: PROJECT_DIR, loadDotenv: false });
    for (const [name, value] of settings) {
      expect(loadConfig({ [name]: value }, { baseDir: PROJECT_DIR, loadDotenv: false }), name).toEqual(defaults);
    }
  });

  it('states the models’ sizes as they are built (within a quarter)', () => {
    const stated = /the sentence model: (\d+) MB; the word-vector fallback: (\d+) MB/.exec(envExample);
    expect(stated).not.toBeNull();
    const [sentence, fallback] = [Number(stated?.[1]), Number(stated?.[2])];
    const built = [
      folderMegabytes(path.join(MODEL_CACHE_DIR, 'local', 'all-minilm-l6-v2')),
      folderMegabytes(path.join(MODEL_CACHE_DIR, 'local', 'glove-sif-100d')),
    ];
    expect(Math.abs(built[0]! - sentence) / sentence).toBeLessThan(0.25);
    expect(Math.abs(built[1]! - fallback) / fallback).toBeLessThan(0.25);
  });
});
