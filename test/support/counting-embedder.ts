import type { Embedder } from '../../src/embed/embedder.js';

/** The real model, counting the calls and texts it embeds; after `failAfterCalls` calls it throws (an interrupted ingest). */
export class CountingEmbedder implements Embedder {
  texts = 0;
  calls = 0;
  constructor(
    private readonly inner: Embedder,
    private readonly failAfterCalls = Number.POSITIVE_INFINITY,
  ) {}
  get modelId() {
    return this.inner.modelId;
  }
  get revision() {
    return this.inner.revision;
  }
  get dimensions() {
    return this.inner.dimensions;
  }
  get kind() {
    return this.inner.kind;
  }
  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    if (this.calls >= this.failAfterCalls) throw new Error('interrupted');
    this.calls++;
    this.texts += texts.length;
    return this.inner.embed(texts);
  }
}
