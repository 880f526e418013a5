import { createHash } from 'node:crypto';
import type { CorpusDocument } from '../core/types.js';
import { documentSentences } from '../chunk/chunk.js';

/**
 * The vector of every sentence of the corpus, by the sentence's text: embedded at ingest so that a
 * question costs one model call (its own), and reused for sentences that did not change.
 */
export class SentenceVectors {
  private constructor(
    readonly dimensions: number,
    private readonly byKey: Map<string, Float32Array>,
  ) {}

  get size(): number {
    return this.byKey.size;
  }

  /** The stored vector of a sentence, if it was embedded with this index. */
  get(text: string): Float32Array | undefined {
    return this.byKey.get(keyOf(text));
  }

  /** The texts whose vectors a document needs: each of its sentences once, in order. */
  static textsOf(document: CorpusDocument): string[] {
    return [...new Set(documentSentences(document).map((sentence) => sentence.text))];
  }

  /** The rows of `textsOf(document)` when every one is known here, else undefined. */
  matrixFor(document: CorpusDocument): Float32Array | undefined {
    const texts = SentenceVectors.textsOf(document);
    const matrix = new Float32Array(texts.length * this.dimensions);
    for (const [row, text] of texts.entries()) {
      const vector = this.get(text);
      if (!vector) return undefined;
      matrix.set(vector, row * this.dimensions);
    }
    return matrix;
  }

  /** The sentence vectors of documents from their matrices (rows as `textsOf`). */
  static fromMatrices(documents: readonly CorpusDocument[], matrices: readonly Float32Array[], dimensions: number): SentenceVectors {
    const byKey = new Map<string, Float32Array>();
    documents.forEach((document, index) => {
      const matrix = matrices[index] ?? new Float32Array(0);
      SentenceVectors.textsOf(document).forEach((text, row) => {
        byKey.set(keyOf(text), matrix.subarray(row * dimensions, (row + 1) * dimensions));
      });
    });
    return new SentenceVectors(dimensions, byKey);
  }

  /** One file: a little-endian uint32 count, the 16-byte keys, then the float32 rows. */
  toBytes(): Uint8Array {
    const count = this.byKey.size;
    const bytes = new Uint8Array(4 + count * KEY_BYTES + count * this.dimensions * 4);
    const view = new DataView(bytes.buffer);
    view.setUint32(0, count, true);
    const rows = new Float32Array(count * this.dimensions);
    let index = 0;
    for (const [key, vector] of this.byKey) {
      bytes.set(Buffer.from(key, 'hex'), 4 + index * KEY_BYTES);
      rows.set(vector, index * this.dimensions);
      index++;
    }
    bytes.set(new Uint8Array(rows.buffer), 4 + count * KEY_BYTES);
    return bytes;
  }

  static fromBytes(bytes: Uint8Array, dimensions: number): SentenceVectors {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const count = view.getUint32(0, true);
    const rowsAt = 4 + count * KEY_BYTES;
    if (bytes.byteLength !== rowsAt + count * dimensions * 4)
      throw new Error(`sentence vectors: ${bytes.byteLength} bytes for ${count} rows of ${dimensions}`);
    // Copied into an aligned buffer of its own (a pooled Buffer may start at an odd offset).
    const rows = new Float32Array(count * dimensions);
    new Uint8Array(rows.buffer).set(bytes.subarray(rowsAt));
    const byKey = new Map<string, Float32Array>();
    for (let index = 0; index < count; index++) {
      const key = Buffer.from(bytes.subarray(4 + index * KEY_BYTES, 4 + (index + 1) * KEY_BYTES)).toString('hex');
      byKey.set(key, rows.subarray(index * dimensions, (index + 1) * dimensions));
    }
    return new SentenceVectors(dimensions, byKey);
  }
}

const KEY_BYTES = 16;

function keyOf(text: string): string {
  return createHash('sha256')
    .update(text)
    .digest('hex')
    .slice(0, KEY_BYTES * 2);
}
