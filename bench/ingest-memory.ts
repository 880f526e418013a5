/**
 * The serving process's memory around ingest (issue #27): one process runs the engine as `npm start`
 * does (it loads its own model), builds the index at start, then `reindex()` after changing documents
 * (what `/reindex` does) and after adding one (what `/add-source` does: write the file, reindex).
 * VmRSS and VmHWM come from /proc/self/status after each step.
 *
 *   node --import tsx bench/ingest-memory.ts [--size 150] [--changed 20]
 *
 * Corpora are generated into bench/corpora/ (as `npm run bench` does); the index goes to a temporary folder.
 * Prints one JSON line on stdout.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { cp } from 'node:fs/promises';
import { createEngine } from '../src/answer/engine.js';
import { loadConfig } from '../src/config.js';
import { silentLogger } from '../src/core/log.js';
import { ensureCorpus } from './corpus.js';

const { values } = parseArgs({ options: { size: { type: 'string', default: '150' }, changed: { type: 'string', default: '20' } } });
const size = Number(values.size);
const changedCount = Number(values.changed);
const projectDir = path.resolve(import.meta.dirname, '..');

/** VmRSS and VmHWM of this process, in MB. */
async function memory(): Promise<{ rssMb: number; peakMb: number }> {
  const status = await readFile('/proc/self/status', 'utf8');
  const field = (name: string) => Math.round(Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) / 1024);
  return { rssMb: field('VmRSS'), peakMb: field('VmHWM') };
}

async function main(): Promise<void> {
  const generated = await ensureCorpus(path.join(projectDir, 'seeds'), path.join(projectDir, 'bench', 'corpora', `docs-${size}`), size);
  const work = await mkdtemp(path.join(os.tmpdir(), 'ingest-memory-'));
  const corpusDir = path.join(work, 'corpus');
  await cp(generated, corpusDir, { recursive: true });
  const config = loadConfig(
    { ...process.env, CORPUS_DIR: corpusDir, INDEX_DIR: path.join(work, 'index'), LOG_LEVEL: 'silent' },
    { loadDotenv: false, baseDir: projectDir },
  );
  const steps: Record<string, unknown> = { before: await memory() };
  try {
    let started = performance.now();
    const engine = await createEngine(config, silentLogger);
    steps.firstStart = { ...(await memory()), ms: Math.round(performance.now() - started), chunks: engine.lastReport.chunks };
    const files = (await readdir(corpusDir)).filter((name) => name.endsWith('.txt')).sort();
    for (const file of files.slice(0, changedCount))
      await writeFile(
        path.join(corpusDir, file),
        `${await readFile(path.join(corpusDir, file), 'utf8')}\n\nA paragraph added to change the document.\n`,
      );
    started = performance.now();
    const reindexed = await engine.reindex();
    steps.reindex = { ...(await memory()), ms: Math.round(performance.now() - started), reason: reindexed.reason };
    const source = await readFile(path.join(projectDir, 'seeds', (await readdir(path.join(projectDir, 'seeds')))[0] as string), 'utf8');
    await writeFile(path.join(corpusDir, 'added-source.txt'), source);
    started = performance.now();
    const added = await engine.reindex();
    steps.addSource = { ...(await memory()), ms: Math.round(performance.now() - started), reason: added.reason };
    await engine.close();
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  process.stdout.write(`${JSON.stringify({ date: new Date().toISOString(), size, changed: changedCount, pid: process.pid, ...steps })}\n`);
}

await main();
