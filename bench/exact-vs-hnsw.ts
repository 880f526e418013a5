/**
 * Where exact search stops paying: hnswlib's brute force against HNSW (M 16, efConstruction 200)
 * on random unit vectors, top-50 query median and recall@10, at several sizes.
 * `tsx bench/exact-vs-hnsw.ts [sizes, default 4096,20000,50000] [dimensions, default 100]`
 */
import { DEFAULT_HNSW, ExactVectorIndex, VectorIndex } from '../src/index/vector-index.js';

const sizes = (process.argv[2] ?? '4096,20000,50000').split(',').map(Number);
const dimensions = Number(process.argv[3] ?? 100);

// mulberry32: the same vectors on every run.
let seed = 42;
function random(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

function unitVector(around?: Float32Array): Float32Array {
  const vector = new Float32Array(dimensions).map((_, index) =>
    around ? (around[index] as number) + (random() - 0.5) * 0.1 : random() - 0.5,
  );
  const norm = Math.hypot(...vector);
  return vector.map((value) => value / norm);
}

function medianMs(queries: readonly Float32Array[], search: (query: Float32Array) => unknown): number {
  const times = queries.map((query) => {
    const started = performance.now();
    search(query);
    return performance.now() - started;
  });
  return times.sort((left, right) => left - right)[Math.floor(times.length / 2)] as number;
}

console.log('| vectors | exact ms | HNSW build s | ef 64 ms, recall@10 | ef 128 | ef 256 |');
console.log('|---|---|---|---|---|---|');
for (const size of sizes) {
  const vectors = Array.from({ length: size }, () => unitVector());
  const queries = vectors.slice(0, 300).map((vector) => unitVector(vector));
  const exact = ExactVectorIndex.fromVectors(vectors, dimensions);
  const started = performance.now();
  const hnsw = VectorIndex.build(vectors, dimensions, { ...DEFAULT_HNSW, ef: 64 });
  const buildSeconds = (performance.now() - started) / 1000;
  const cells = [size.toLocaleString('en'), medianMs(queries, (query) => exact.search(query, 50)).toFixed(3), buildSeconds.toFixed(1)];
  for (const ef of [64, 128, 256]) {
    hnsw.setEf(ef);
    const recall =
      queries.slice(0, 100).reduce((sum, query) => {
        const truth = new Set(exact.search(query, 10).map((hit) => hit.label));
        return sum + hnsw.search(query, 10).filter((hit) => truth.has(hit.label)).length / 10;
      }, 0) / 100;
    cells.push(`${medianMs(queries, (query) => hnsw.search(query, 50)).toFixed(3)}, ${recall.toFixed(2)}`);
  }
  console.log(`| ${cells.join(' | ')} |`);
}
