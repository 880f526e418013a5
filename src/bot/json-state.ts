/**
 * A small JSON state file in DATA_DIR (`feeds.json`, `web-sources.json`), checked by a zod schema
 * and written whole with {@link writeAtomically} (the scope file's helper): a crash leaves the old
 * file or the new one. A file that is not valid is moved aside (never deleted) with a logged error,
 * and the state starts empty, as the scope file does. Changes are made under a lock to the file
 * (the CLI and other bot processes, shards, may change it too), one at a time in this process.
 */
import { readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import type { Logger } from '../core/log.js';
import { IngestLock, type LockTiming } from '../index/ingest-lock.js';
import { writeAtomically } from './scopes.js';

/** A change holds the lock for milliseconds; another process's is waited for. */
const LOCK_TIMING: LockTiming = { pollMs: 25, timeoutMs: 15_000 };

export class JsonStateFile<Schema extends z.ZodType> {
  private changing: Promise<unknown> = Promise.resolve();

  constructor(
    readonly file: string,
    private readonly schema: Schema,
    private readonly log: Logger,
    /** Said in the log when the file is damaged: what is lost until it is set again. */
    private readonly meaning: string,
  ) {}

  /** The saved state; null when there is none yet, or it was damaged and set aside. */
  async read(): Promise<z.infer<Schema> | null> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    let problem: string;
    try {
      const checked = this.schema.safeParse(JSON.parse(text));
      if (checked.success) return checked.data;
      problem = checked.error.issues.map((issue) => `${issue.path.join('.') || 'the file'}: ${issue.message}`).join('; ');
    } catch (error) {
      problem = `not JSON: ${(error as Error).message}`;
    }
    const aside = `${this.file}.damaged-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    const kept = await rename(this.file, aside).then(
      () => `it was moved to ${aside}`,
      (error: Error) => `it could not be moved aside (${error.message})`,
    );
    this.log.error(`${this.file} is damaged (${problem.slice(0, 300)}); ${kept}. ${this.meaning}`);
    return null;
  }

  async write(state: z.infer<Schema>): Promise<void> {
    await writeAtomically(this.file, `${JSON.stringify(state, null, 2)}\n`);
  }

  /** Read, change and save under the file's lock; `state` absent in what `change` returns: nothing to save. */
  update<T>(change: (saved: z.infer<Schema> | null) => { state?: z.infer<Schema>; result: T }): Promise<T> {
    const run = this.changing.then(async () => {
      const lock = await IngestLock.acquire(this.file, this.log, LOCK_TIMING, {
        lock: `lock of ${path.basename(this.file)}`,
        holder: 'Another bot process',
        doing: `is changing ${this.file}`,
      });
      try {
        const { state, result } = change(await this.read());
        if (state !== undefined) await this.write(state);
        return result;
      } finally {
        await lock.release();
      }
    });
    this.changing = run.catch(() => undefined);
    return run;
  }
}
