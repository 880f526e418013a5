import hnswlib from 'hnswlib-node';

export interface VectorHit {
  /** Position of the vector (= chunk position in the store). */
  readonly label: number;
  /** Cosine similarity (vectors are unit length, so inner product). */
  readonly similarity: number;
}

export interface HnswSettings {
  readonly m: number;
  readonly efConstruction: number;
  /** Search breadth; higher trades speed for recall. Set explicitly, never left to the library default. */
  readonly ef: number;
}

export const DEFAULT_HNSW: Omit<HnswSettings, 'ef'> = { m: 16, efConstruction: 200 };

/** Approximate nearest neighbours over unit vectors, by inner product (= cosine). */
export class VectorIndex {
  private constructor(
    private readonly index: hnswlib.HierarchicalNSW,
    readonly dimensions: number,
  ) {}

  /** Build from unit vectors; label i is vectors[i]. */
  static build(vectors: readonly Float32Array[], dimensions: number, settings: HnswSettings): VectorIndex {
    const index = new hnswlib.HierarchicalNSW('ip', dimensions);
    index.initIndex({ maxElements: Math.max(1, vectors.length), m: settings.m, efConstruction: settings.efConstruction, randomSeed: 100 });
    vectors.forEach((vector, label) => index.addPoint(Array.from(vector), label));
    index.setEf(settings.ef);
    return new VectorIndex(index, dimensions);
  }

  static async load(file: string, dimensions: number, ef: number): Promise<VectorIndex> {
    const index = new hnswlib.HierarchicalNSW('ip', dimensions);
    await index.readIndex(file);
    index.setEf(ef);
    return new VectorIndex(index, dimensions);
  }

  get size(): number {
    return this.index.getCurrentCount();
  }

  async save(file: string): Promise<void> {
    await this.index.writeIndex(file);
  }

  search(query: Float32Array, limit: number): VectorHit[] {
    const count = Math.min(limit, this.size);
    if (count === 0) return [];
    const { neighbors, distances } = this.index.searchKnn(Array.from(query), count);
    // hnswlib's 'ip' distance is 1 - inner product.
    return neighbors.map((label, position) => ({ label, similarity: 1 - (distances[position] ?? 1) }));
  }
}
