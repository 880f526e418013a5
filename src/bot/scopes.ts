/**
 * Which collections each channel answers from (`/scope`), kept in `DATA_DIR/scopes.json` so it
 * survives a restart. Written whole to a temp file and renamed over the old one, so a crash leaves
 * the old file or the new one, never half of one. Several processes share the file (the shards of
 * `npm run start:sharded`, each serving its own servers' channels): a change is made under a lock
 * file to the file as it is on disk, so no process's change overwrites another's. A file that cannot be read as scopes is set aside
 * (never deleted) with a logged error, and the bot answers unscoped until a scope is set again.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { Logger } from '../core/log.js';
import type { ScopeOptions } from '../core/types.js';
import { IngestLock, type LockTiming } from '../index/ingest-lock.js';

export const SCOPES_FILE = 'scopes.json';

/** A scope change waits this long for another process's; a lock left by a dead process is taken over at once. */
const LOCK_TIMING: LockTiming = { pollMs: 25, timeoutMs: 15_000 };

const ScopesFile = z.object({
  version: z.literal(1),
  /** Channel id → the collections it answers from (at least one). */
  channels: z.record(z.string().regex(/^\d{1,20}$/, 'a channel id'), z.array(z.string().min(1)).min(1)),
});
type ScopesFile = z.infer<typeof ScopesFile>;

/** Where a message or command comes from: a channel, or a thread (which follows its parent channel). */
export interface ChannelPlace {
  readonly channelId: string | null;
  /** The parent channel when `channelId` is a thread; null otherwise. */
  readonly threadParentId: string | null;
}

export class ScopeStore {
  /** The last change being saved: changes are saved one at a time, in order. */
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    readonly file: string,
    private channels: ReadonlyMap<string, readonly string[]>,
    private readonly log: Logger,
  ) {}

  /** Read `dataDir/scopes.json`; a missing file is no scope anywhere, a damaged one is set aside (see the module comment). */
  static async open(dataDir: string, log: Logger): Promise<ScopeStore> {
    const file = path.join(dataDir, SCOPES_FILE);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        log.error(`Cannot read the channel scopes in ${file} (${(error as Error).message}); every channel answers from the whole corpus.`);
      }
      return new ScopeStore(file, new Map(), log);
    }
    const problem = damageIn(text);
    if (problem === null) {
      const parsed = ScopesFile.parse(JSON.parse(text));
      return new ScopeStore(file, new Map(Object.entries(parsed.channels)), log);
    }
    const aside = `${file}.damaged-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    const kept = await rename(file, aside).then(
      () => `it was moved to ${aside}`,
      (error: Error) => `it could not be moved aside (${error.message}) and is left as it is until a scope is set`,
    );
    log.error(
      `The channel scopes in ${file} are damaged (${problem}); ${kept}. Every channel answers from the whole corpus until /scope set.`,
    );
    return new ScopeStore(file, new Map(), log);
  }

  /** The collections a place answers from: its channel's, or for a thread its parent channel's; `{}` for the whole corpus. */
  scopeOf(place: ChannelPlace): ScopeOptions {
    const channel = this.channelOf(place);
    const collections = channel === null ? undefined : this.channels.get(channel);
    return collections === undefined ? {} : { collections };
  }

  /** The channel whose scope a place follows: a thread's parent, else the channel itself. */
  channelOf(place: ChannelPlace): string | null {
    return place.threadParentId ?? place.channelId;
  }

  /** Limit a channel (and its threads) to some collections, and save. */
  async set(channelId: string, collections: readonly string[]): Promise<void> {
    await this.update((channels) => {
      channels.set(channelId, [...new Set(collections)]);
      return true;
    });
  }

  /** Let a channel answer from the whole corpus again; false when it had no scope. */
  clear(channelId: string): Promise<boolean> {
    return this.update((channels) => channels.delete(channelId));
  }

  /**
   * Apply a change to a copy, save it, and only then use it: a failed write changes nothing.
   * Changes run one at a time, in order, so two at once cannot lose one another; across processes,
   * the change is applied under the lock to the file as saved, with the other processes' changes.
   */
  private update(change: (channels: Map<string, readonly string[]>) => boolean): Promise<boolean> {
    const run = this.writing.then(async () => {
      const lock = await IngestLock.acquire(this.file, this.log, LOCK_TIMING, {
        lock: 'scopes lock',
        holder: 'Another bot process',
        doing: `is changing the channel scopes in ${this.file}`,
      });
      try {
        const next = new Map((await this.readSaved()) ?? this.channels);
        if (!change(next)) {
          this.channels = next;
          return false;
        }
        const contents: ScopesFile = { version: 1, channels: Object.fromEntries([...next].map(([id, names]) => [id, [...names]])) };
        await writeAtomically(this.file, `${JSON.stringify(contents, null, 2)}\n`);
        this.channels = next;
        return true;
      } finally {
        await lock.release();
      }
    });
    this.writing = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /** The scopes as saved now (another process may have changed them); null when the file is missing or not a scopes file (this process's copy is used). */
  private async readSaved(): Promise<Map<string, readonly string[]> | null> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch {
      return null;
    }
    if (damageIn(text) !== null) return null;
    return new Map(Object.entries(ScopesFile.parse(JSON.parse(text)).channels));
  }
}

/** Why a text is not a scopes file, or null when it is one. */
function damageIn(text: string): string | null {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return `not JSON: ${(error as Error).message}`;
  }
  const checked = ScopesFile.safeParse(json);
  if (checked.success) return null;
  return checked.error.issues.map((issue) => `${issue.path.join('.') || 'the file'}: ${issue.message}`).join('; ');
}

/** Write a whole file: to a temp file beside it, flushed to disk, then renamed over it. */
export async function writeAtomically(file: string, contents: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const handle = await open(temporary, 'w');
    try {
      await handle.writeFile(contents);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
