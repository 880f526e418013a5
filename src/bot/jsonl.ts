import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';

/** An append-only JSONL file (one JSON object per line); appends are serialised so lines never interleave. */
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
