import { appendFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/answer/engine.js';
import { DEFAULT_MODEL } from '../../src/config.js';
import { createLogger, silentLogger } from '../../src/core/log.js';
import { loadEmbedder, type Embedder } from '../../src/embed/embedder.js';
import { storeFor } from '../../src/ingest/ingest.js';
import { CountingEmbedder } from '../support/counting-embedder.js';
import { createWorkspace, MODEL_CACHE_DIR, type Workspace } from '../support/workspace.js';

/** Issue #27: the serving process never embeds the corpus; a child process builds the index and exits. */

const ADDED = 'Harbour notes.\n\nThe lighthouse keeper counted forty-two ferries crossing the bay on the first day of spring.\n';

let model: Embedder;
let project: Workspace;
let engine: Engine;
let serving: CountingEmbedder;
const lines: string[] = [];
const log = createLogger('info', { write: (line) => lines.push(line) });

/** The pids of the ingest processes the engine started, from its log lines. */
function ingestPids(): number[] {
  return lines.flatMap((line) => {
    const pid = /in a separate process \(pid (\d+)\)/.exec(line)?.[1];
    return pid === undefined ? [] : [Number(pid)];
  });
}

beforeAll(async () => {
  model = await loadEmbedder({ modelId: DEFAULT_MODEL, modelCacheDir: MODEL_CACHE_DIR, allowRemoteModels: false, log: silentLogger });
  // No index yet: the first one is built in a child process, as tested below.
  project = await createWorkspace({ index: 'none' });
  // The serving process's own model (for questions) counts what it embeds; the index is built elsewhere.
  serving = new CountingEmbedder(model);
  engine = await createEngine(project.config, log, { embedder: serving, ingestIn: 'child' });
});

afterAll(async () => {
  await engine?.close();
  await project?.remove();
});

describe('ingest in its own process', () => {
  it('builds the first index in a child process: the serving process embeds no document', () => {
    expect(engine.lastReport.rebuilt).toBe(true);
    expect(ingestPids()).toHaveLength(1);
    expect(ingestPids()[0]).not.toBe(process.pid);
    expect(serving.texts).toBe(0);
    expect(lines.some((line) => /^Indexed \d+ chunks/.test(line))).toBe(true);
  });

  it('adds a source in a child process and answers from the new index', async () => {
    const before = engine.builtAt();
    await project.writeDocument('harbour.txt', ADDED);
    const report = await engine.reindex();
    expect(report.added).toEqual(['harbour.txt']);
    expect(engine.builtAt()).not.toBe(before);
    expect(ingestPids()).toHaveLength(2);
    expect(serving.texts).toBe(0);
    const answer = await engine.ask('How many ferries did the lighthouse keeper count?');
    expect(answer.quotes[0]?.source).toBe('harbour.txt');
    expect(answer.quotes[0]?.text).toContain('forty-two ferries');
  });

  it('a killed ingest rejects with a clear error and leaves the index in use and the saved one as they were', async () => {
    const store = storeFor(project.config);
    const savedBefore = (await store.readManifest())?.builtAt;
    const inUse = engine.builtAt();
    await project.removeDocument('harbour.txt');
    // Every seed changed, so the child is embedding (holding the writer's lock) when it is killed.
    const seeds = (await readdir(project.corpusDir)).filter((file) => file.endsWith('.txt'));
    for (const file of seeds) await appendFile(path.join(project.corpusDir, file), '\n\nA paragraph added later, about the weather.\n');
    const building = () => lines.filter((line) => line.startsWith('Building the index (')).length;
    const reindexing = engine.reindex();
    const pid = await waitFor(() => (building() === 3 ? ingestPids()[2] : undefined));
    process.kill(pid, 'SIGKILL');
    await expect(reindexing).rejects.toThrow(
      /The ingest process \(pid \d+\) was killed \(SIGKILL\) before it finished; the index in use is unchanged/,
    );
    expect(engine.builtAt()).toBe(inUse);
    expect((await store.readManifest())?.builtAt).toBe(savedBefore);
    const answer = await engine.ask('How many ferries did the lighthouse keeper count?');
    expect(answer.quotes[0]?.source).toBe('harbour.txt');
    // The next ingest takes over the dead process's lock and finishes the job.
    const report = await engine.reindex();
    expect(report.removed).toEqual(['harbour.txt']);
    expect(report.changed).toHaveLength(seeds.length);
    expect(engine.documents().some((document) => document.file === 'harbour.txt')).toBe(false);
    await store.close();
  });
});

async function waitFor<T>(value: () => T | undefined): Promise<T> {
  for (;;) {
    const found = value();
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
