import { mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../core/log.js';
import { IndexError } from '../index/store.js';

/** Who holds the lock, written into the lock file. */
interface Owner {
  readonly pid: number;
  readonly host: string;
  readonly since: string;
}

export interface LockTiming {
  /** How often a waiting ingest looks again. */
  readonly pollMs: number;
  /** How long it waits before giving up with the lock file's path. */
  readonly timeoutMs: number;
}

/** How messages name the lock, its holder and what it does: "Taking over the {lock}", "{holder} (pid …) {doing}; waiting for it…". */
export interface LockWords {
  readonly lock: string;
  readonly holder: string;
  readonly doing: string;
}

const DEFAULT_TIMING: LockTiming = { pollMs: 250, timeoutMs: 30 * 60_000 };
/** A lock file still empty after this long was left by a process that died while taking it. */
const UNWRITTEN_LOCK_MS = 10_000;

/**
 * One writer at a time for an index folder: `<index>.lock` holds the owner's pid. A second ingest
 * (another `npm run ingest`, a bot's start or `/reindex`) waits for it, saying who holds it; a lock
 * whose process is gone (killed, crashed) is taken over.
 */
export class IngestLock {
  private constructor(private readonly file: string) {}

  /** `words` name the waiting in messages: by default another ingest updating the index (the lock also guards other shared files). */
  static async acquire(
    indexDir: string,
    log: Logger,
    timing: LockTiming = DEFAULT_TIMING,
    words: LockWords = { lock: 'ingest lock', holder: 'Another ingest', doing: `is updating the index in ${indexDir}` },
  ): Promise<IngestLock> {
    const file = `${indexDir}.lock`;
    await mkdir(path.dirname(file), { recursive: true });
    const started = Date.now();
    let announced = false;
    for (;;) {
      try {
        const handle = await open(file, 'wx');
        const owner: Owner = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
        await handle.writeFile(JSON.stringify(owner));
        await handle.close();
        return new IngestLock(file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const owner = await readOwner(file);
      // Released between our attempt and the read: try again at once (removing it now could remove a new holder's lock).
      if (owner === 'released') continue;
      const gone = owner ? owner.host === hostname() && !isRunning(owner.pid) : await olderThan(file, UNWRITTEN_LOCK_MS);
      if (gone) {
        log.warn(
          `Taking over the ${words.lock} ${file}: ${owner ? `its process (pid ${owner.pid}, since ${owner.since}) is gone` : 'it was never written'}.`,
        );
        await rm(file, { force: true });
        continue;
      }
      const who = owner ? `pid ${owner.pid} on ${owner.host}, since ${owner.since}` : 'a process that is just starting';
      if (Date.now() - started > timing.timeoutMs) {
        throw new IndexError(`${words.holder} (${who}) still holds ${file}. If none is running, delete that file and try again.`);
      }
      if (!announced) log.info(`${words.holder} (${who}) ${words.doing}; waiting for it…`);
      announced = true;
      await sleep(timing.pollMs);
    }
  }

  async release(): Promise<void> {
    await rm(this.file, { force: true });
  }
}

/** The lock file's owner; null while it is being written (it is created empty, then filled); `released` when there is no file. */
async function readOwner(file: string): Promise<Owner | null | 'released'> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'released';
    return null;
  }
  try {
    const owner = JSON.parse(text) as Partial<Owner>;
    return typeof owner.pid === 'number' && typeof owner.host === 'string'
      ? { pid: owner.pid, host: owner.host, since: String(owner.since) }
      : null;
  } catch {
    return null;
  }
}

async function olderThan(file: string, ms: number): Promise<boolean> {
  try {
    return Date.now() - (await stat(file)).mtimeMs > ms;
  } catch {
    // Gone meanwhile: the next attempt takes it.
    return false;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
