import type { Embedder } from '../../src/embed/embedder.js';

/**
 * The real model, embedding each distinct text once: a text asked again gets the vector the model
 * gave it before (the model gives a text the same vector each time). For a test that builds the
 * same corpus twice to compare two index kinds, where what is tested is the index, not the model.
 */
export class RememberingEmbedder implements Embedder {
  private readonly vectors = new Map<string, Float32Array>();
  constructor(private readonly inner: Embedder) {}
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
    const fresh = texts.filter((text) => !this.vectors.has(text));
    if (fresh.length > 0) {
      const vectors = await this.inner.embed(fresh);
      for (const [index, text] of fresh.entries()) this.vectors.set(text, vectors[index] as Float32Array);
    }
    // A copy each time, as the model returns: a caller may keep or change what it was given.
    return texts.map((text) => Float32Array.from(this.vectors.get(text) as Float32Array));
  }
}
