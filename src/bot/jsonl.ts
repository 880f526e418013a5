import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';

/**
 * An append-only JSONL file (one JSON object per line); appends are serialised so lines never
 * interleave. Several processes may append to one file (the shards of `npm run start:sharded`): the
 * file is opened with O_APPEND and each line goes in one write (Node splits only above 512 KiB), which
 * the kernel places whole at the end of the file, so lines of different processes never mix.
 */
export class JsonLines<Entry> {
  private queue: Promise<void> = Promise.resolve();

  constructor(readonly file: string) {}

  append(entry: Entry): Promise<void> {
    const write = this.queue.then(async () => {
      await mkdir(path.dirname(this.file), { recursive: true });
      await appendFile(this.file, `${JSON.stringify(entry)}\n`, 'utf8');
    });
    this.queue = write.catch(() => undefined);
    return write;
  }
}
