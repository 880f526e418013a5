import { WrappedEmbedder } from './wrapped-embedder.js';

/**
 * The real model, embedding each distinct text once: a text asked again gets the vector the model
 * gave it before (the model gives a text the same vector each time). For a test that builds the
 * same corpus twice to compare two index kinds, where what is tested is the index, not the model.
 */
export class RememberingEmbedder extends WrappedEmbedder {
  private readonly vectors = new Map<string, Float32Array>();
  override async embed(texts: readonly string[]): Promise<Float32Array[]> {
    const fresh = texts.filter((text) => !this.vectors.has(text));
    if (fresh.length > 0) {
      const vectors = await this.inner.embed(fresh);
      for (const [index, text] of fresh.entries()) this.vectors.set(text, vectors[index] as Float32Array);
    }
    // A copy each time, as the model returns: a caller may keep or change what it was given.
    return texts.map((text) => Float32Array.from(this.vectors.get(text) as Float32Array));
  }
}
