import type { Embedder } from '../../src/embed/embedder.js';
import { WrappedEmbedder } from './wrapped-embedder.js';

/** The real model, counting the calls and texts it embeds; after `failAfterCalls` calls it throws (an interrupted ingest). */
export class CountingEmbedder extends WrappedEmbedder {
  texts = 0;
  calls = 0;
  constructor(
    inner: Embedder,
    private readonly failAfterCalls = Number.POSITIVE_INFINITY,
  ) {
    super(inner);
  }
  override async embed(texts: readonly string[]): Promise<Float32Array[]> {
    if (this.calls >= this.failAfterCalls) throw new Error('interrupted');
    this.calls++;
    this.texts += texts.length;
    return this.inner.embed(texts);
  }
}
