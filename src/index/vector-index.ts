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

/**
 * Below this many chunks an exact scan is as fast as HNSW (measured by `npm run bench`: about
 * 0.1 ms per 1,000 chunks of 100 dimensions on the reference machine, against ~0.2-0.5 ms for an
 * HNSW query at ef 64), exact recall is free and there is no graph to build.
 */
export const EXACT_SEARCH_MAX_CHUNKS = 4096;

/** Nearest neighbours by inner product over unit vectors; exact or approximate (HNSW). */
export interface VectorSearch {
  readonly kind: 'exact' | 'hnsw';
  readonly dimensions: number;
  readonly size: number;
  /** The `limit` most similar vectors, most similar first. */
  search(query: Float32Array, limit: number): VectorHit[];
}

/** Brute-force search over one packed matrix: exact, no build cost, linear query cost. */
export class ExactVectorIndex implements VectorSearch {
  readonly kind = 'exact';
  readonly size: number;

  /** `matrix` holds `size` rows of `dimensions` floats, row i = label i. */
  constructor(
    private readonly matrix: Float32Array,
    readonly dimensions: number,
  ) {
    this.size = Math.floor(matrix.length / dimensions);
  }

  static fromVectors(vectors: readonly Float32Array[], dimensions: number): ExactVectorIndex {
    const matrix = new Float32Array(vectors.length * dimensions);
    vectors.forEach((vector, label) => matrix.set(vector, label * dimensions));
    return new ExactVectorIndex(matrix, dimensions);
  }

  search(query: Float32Array, limit: number): VectorHit[] {
    const count = Math.min(limit, this.size);
    if (count <= 0) return [];
    const { matrix, dimensions } = this;
    // A min-heap of the best `count` (score, label) pairs seen so far.
    const heapScores = new Float64Array(count);
    const heapLabels = new Int32Array(count);
    let filled = 0;
    for (let label = 0; label < this.size; label++) {
      const base = label * dimensions;
      let dot = 0;
      for (let index = 0; index < dimensions; index++) dot += (matrix[base + index] as number) * (query[index] as number);
      if (filled < count) {
        let position = filled++;
        while (position > 0) {
          const parent = (position - 1) >> 1;
          if ((heapScores[parent] as number) <= dot) break;
          heapScores[position] = heapScores[parent] as number;
          heapLabels[position] = heapLabels[parent] as number;
          position = parent;
        }
        heapScores[position] = dot;
        heapLabels[position] = label;
      } else if (dot > (heapScores[0] as number)) {
        let position = 0;
        for (;;) {
          const left = 2 * position + 1;
          if (left >= count) break;
          const right = left + 1;
          const child = right < count && (heapScores[right] as number) < (heapScores[left] as number) ? right : left;
          if ((heapScores[child] as number) >= dot) break;
          heapScores[position] = heapScores[child] as number;
          heapLabels[position] = heapLabels[child] as number;
          position = child;
        }
        heapScores[position] = dot;
        heapLabels[position] = label;
      }
    }
    const hits: VectorHit[] = [];
    for (let index = 0; index < filled; index++) hits.push({ label: heapLabels[index] as number, similarity: heapScores[index] as number });
    return hits.sort((left, right) => right.similarity - left.similarity || left.label - right.label);
  }
}

/** Approximate nearest neighbours over unit vectors, by inner product (= cosine). */
export class VectorIndex implements VectorSearch {
  readonly kind = 'hnsw';

  private constructor(
    private readonly index: hnswlib.HierarchicalNSW,
    readonly dimensions: number,
  ) {}

  /** Build from unit vectors; label i is vectors[i]. */
  static build(vectors: readonly Float32Array[], dimensions: number, settings: HnswSettings): VectorIndex {
    const index = VectorIndex.start(vectors.length, dimensions, settings);
    vectors.forEach((vector, label) => index.addPoint(Array.from(vector), label));
    index.setEf(settings.ef);
    return new VectorIndex(index, dimensions);
  }

  /**
   * Build like `build`, but give the event loop a turn every few hundred insertions (so a bot
   * keeps answering while `/reindex` runs) and report progress.
   */
  static async buildAsync(
    vectors: readonly Float32Array[],
    dimensions: number,
    settings: HnswSettings,
    onProgress: (done: number) => void = () => {},
  ): Promise<VectorIndex> {
    const index = VectorIndex.start(vectors.length, dimensions, settings);
    const slice = 500;
    for (let offset = 0; offset < vectors.length; offset += slice) {
      const end = Math.min(vectors.length, offset + slice);
      for (let label = offset; label < end; label++) index.addPoint(Array.from(vectors[label] as Float32Array), label);
      onProgress(end);
      await new Promise((resolve) => setImmediate(resolve));
    }
    index.setEf(settings.ef);
    return new VectorIndex(index, dimensions);
  }

  private static start(count: number, dimensions: number, settings: HnswSettings): hnswlib.HierarchicalNSW {
    const index = new hnswlib.HierarchicalNSW('ip', dimensions);
    index.initIndex({ maxElements: Math.max(1, count), m: settings.m, efConstruction: settings.efConstruction, randomSeed: 100 });
    return index;
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

  /** Change the search breadth (e.g. to trade recall for speed in a benchmark). */
  setEf(ef: number): void {
    this.index.setEf(ef);
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
