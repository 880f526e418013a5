import { appendFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Vectors embedded by an ingest that has not finished yet, appended after every batch of
 * documents and keyed by content hash, so an interrupted ingest resumes where it stopped.
 * Lives beside the index (`<indexDir>.partial/`) and is removed once the index is saved.
 *
 * Record layout in `vectors.bin`: 64 ASCII hex bytes of the sha256 content hash, a uint32 (LE)
 * row count, then rows × dimensions float32 (LE). A record cut short by a crash is ignored.
 */
export class ResumeLog {
  private constructor(
    private readonly folder: string,
    private readonly dimensions: number,
  ) {}

  /** Everything that makes vectors incompatible: another key means the partial work is thrown away. */
  static async open(indexDir: string, key: unknown, dimensions: number): Promise<{ log: ResumeLog; vectors: Map<string, Float32Array> }> {
    const folder = `${indexDir}.partial`;
    const keyText = JSON.stringify(key);
    const log = new ResumeLog(folder, dimensions);
    let vectors = new Map<string, Float32Array>();
    try {
      if ((await readFile(path.join(folder, 'key.json'), 'utf8')) === keyText)
        vectors = log.parse(await readFile(path.join(folder, 'vectors.bin')));
    } catch {
      // Nothing to resume.
    }
    if (vectors.size === 0) {
      await rm(folder, { recursive: true, force: true });
      await mkdir(folder, { recursive: true });
      await writeFile(path.join(folder, 'key.json'), keyText);
      await writeFile(path.join(folder, 'vectors.bin'), new Uint8Array(0));
    }
    return { log, vectors };
  }

  private parse(bytes: Buffer): Map<string, Float32Array> {
    const vectors = new Map<string, Float32Array>();
    let offset = 0;
    while (offset + 68 <= bytes.length) {
      const hash = bytes.toString('latin1', offset, offset + 64);
      const rows = bytes.readUInt32LE(offset + 64);
      const size = rows * this.dimensions * 4;
      if (!/^[0-9a-f]{64}$/.test(hash) || offset + 68 + size > bytes.length) break;
      const matrix = new Float32Array(rows * this.dimensions);
      new Uint8Array(matrix.buffer).set(bytes.subarray(offset + 68, offset + 68 + size));
      vectors.set(hash, matrix);
      offset += 68 + size;
    }
    return vectors;
  }

  /** Append the vectors of some documents (one packed matrix each) in one write. */
  async append(entries: readonly { hash: string; matrix: Float32Array }[]): Promise<void> {
    const parts: Uint8Array[] = [];
    for (const { hash, matrix } of entries) {
      const head = Buffer.alloc(68);
      head.write(hash, 0, 64, 'latin1');
      head.writeUInt32LE(matrix.length / this.dimensions, 64);
      parts.push(head, new Uint8Array(matrix.buffer, matrix.byteOffset, matrix.byteLength));
    }
    await appendFile(path.join(this.folder, 'vectors.bin'), Buffer.concat(parts));
  }

  async discard(): Promise<void> {
    await rm(this.folder, { recursive: true, force: true });
  }
}
