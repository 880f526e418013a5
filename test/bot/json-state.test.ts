/**
 * A DATA_DIR state file (`feeds.json`, `web-sources.json`) changed by several processes at once (two
 * shards, or the bot and `npm run feeds`): every change lands. Instances stand for the
 * processes: each has its own in-process queue, so only the lock on the file keeps them apart.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { z } from 'zod';
import { JsonStateFile } from '../../src/bot/json-state.js';
import { silentLogger } from '../../src/core/log.js';

const Counts = z.object({ version: z.literal(1), added: z.record(z.string(), z.number()) });
let dataDir: string;

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'json-state-'));
});
afterEach(() => rm(dataDir, { recursive: true, force: true }));

it('keeps every change three writers make at the same time, round after round', async () => {
  // One lost change in a few hundred was how a lock released between a writer's attempt and its look
  // at the lock file showed (it then removed the next holder's lock): ten rounds catch it.
  for (let round = 0; round < 10; round++) {
    const file = path.join(dataDir, `web-sources-${round}.json`);
    const writers = [0, 1, 2].map(() => new JsonStateFile(file, Counts, silentLogger, 'Nothing is lost.'));
    await Promise.all(
      Array.from({ length: 30 }, (_, index) =>
        writers[index % 3]?.update((saved) => ({
          state: { version: 1 as const, added: { ...saved?.added, [`document-${index}`]: index } },
          result: undefined,
        })),
      ),
    );
    const saved = Counts.parse(JSON.parse(await readFile(file, 'utf8')));
    expect(Object.keys(saved.added)).toHaveLength(30);
  }
});
