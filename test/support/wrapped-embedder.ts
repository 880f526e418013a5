import type { Embedder } from '../../src/embed/embedder.js';

/** The real model behind a test's own embedding rule: the model's name and shape pass through; `embed` asks the model. */
export class WrappedEmbedder implements Embedder {
  constructor(protected readonly inner: Embedder) {}
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
  embed(texts: readonly string[]): Promise<Float32Array[]> {
    return this.inner.embed(texts);
  }
}
