/**
 * Changing the corpus folder one file at a time, so that a failure leaves it as it was: a new
 * file is written beside its place and renamed into it; a file replaced or removed is first
 * renamed aside, kept until the change is committed, and put back on rollback. The names used
 * meanwhile start with a dot and end in `.tmp`, so an ingest running at the same time never reads them.
 */
import { randomBytes } from 'node:crypto';
import { access, link, mkdir, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** A change made on disk that is either kept (`commit`) or undone (`rollback`). */
export interface StagedChange {
  /** Whether a file was replaced (add) or removed (remove). */
  readonly replaced: boolean;
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

export class SourceExistsError extends Error {
  override name = 'SourceExistsError';
}

export class SourceMissingError extends Error {
  override name = 'SourceMissingError';
}

function sideName(file: string, why: 'new' | 'old'): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${why}-${randomBytes(6).toString('hex')}.tmp`);
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

/**
 * Put `bytes` at `file` (its folder is created): refused with {@link SourceExistsError} when the
 * file exists and `replace` is false. Nothing is half-written: the bytes go to a temp file first.
 */
export async function stageWrite(file: string, bytes: Uint8Array, options: { replace: boolean }): Promise<StagedChange> {
  // The first folder made for it (a new collection's), taken away again on rollback.
  const createdFolder = await mkdir(path.dirname(file), { recursive: true });
  const present = await exists(file);
  if (present && !options.replace) throw new SourceExistsError(`${path.basename(file)} is already in the corpus`);
  const temporary = sideName(file, 'new');
  await writeFile(temporary, bytes, { flag: 'wx' });
  let previous: string | null = null;
  try {
    if (present) {
      // The old version is kept under a second name, then replaced in one step: the file never goes missing.
      previous = sideName(file, 'old');
      await link(file, previous);
      await rename(temporary, file);
    } else {
      // A hard link fails when the name was taken meanwhile (another process): never a silent overwrite.
      await link(temporary, file).catch((error: NodeJS.ErrnoException) => {
        throw error.code === 'EEXIST' ? new SourceExistsError(`${path.basename(file)} is already in the corpus`) : error;
      });
      await rm(temporary, { force: true });
    }
  } catch (error) {
    await rm(temporary, { force: true });
    if (previous !== null) await rm(previous, { force: true });
    if (createdFolder !== undefined) await rmdir(createdFolder).catch(() => undefined);
    throw error;
  }
  const kept = previous;
  return {
    replaced: kept !== null,
    commit: async () => {
      if (kept !== null) await rm(kept, { force: true });
    },
    rollback: async () => {
      if (kept !== null) await rename(kept, file);
      else await rm(file, { force: true });
      if (createdFolder !== undefined) await rmdir(createdFolder).catch(() => undefined);
    },
  };
}

/** Take `file` out of the corpus (renamed aside until committed); {@link SourceMissingError} when it is not there. */
export async function stageRemove(file: string): Promise<StagedChange> {
  if (!(await exists(file))) throw new SourceMissingError(`${path.basename(file)} is not in the corpus folder`);
  const kept = sideName(file, 'old');
  await rename(file, kept);
  return {
    replaced: true,
    commit: () => rm(kept, { force: true }),
    rollback: () => rename(kept, file),
  };
}
