/**
 * `tsx bench/hnsw-params.ts [indexDir] [queries]`: HNSW build time, query time and recall@10
 * (against exact search, ties counted as found) for several M / efConstruction / ef, on the
 * vectors of a built index (default: the 1,000-document bench index). Prints a table.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ExactVectorIndex, VectorIndex } from '../src/index/vector-index.js';

const [indexDir = 'bench/corpora/index-1000/index', queryCount = '500'] = process.argv.slice(2);
const manifest = JSON.parse(await readFile(path.join(indexDir, 'manifest.json'), 'utf8')) as {
  model: { dimensions: number };
  chunks: number;
};
const dimensions = manifest.model.dimensions;
const bytes = await readFile(path.join(indexDir, 'vectors.f32'));
const matrix = new Float32Array(bytes.byteLength / 4);
new Uint8Array(matrix.buffer).set(bytes);
const vectors = Array.from({ length: manifest.chunks }, (_, row) => matrix.subarray(row * dimensions, (row + 1) * dimensions));
const exact = ExactVectorIndex.fromMatrix(matrix, dimensions);

// Queries: stored vectors with a little deterministic noise, renormalized (near-duplicates of real chunks).
let seed = 12345;
const random = () => {
  seed = (seed * 1103515245 + 12345) >>> 0;
  return (seed / 2 ** 32) * 2 - 1;
};
const queries = Array.from({ length: Number(queryCount) }, (_, index) => {
  const base = vectors[(index * 7919) % vectors.length] as Float32Array;
  const query = base.map((value) => value + 0.05 * random());
  const norm = Math.hypot(...query);
  return query.map((value) => value / norm);
});
const truth = queries.map((query) => exact.search(query, 10));

const median = (samples: number[]) => [...samples].sort((left, right) => left - right)[Math.floor(samples.length / 2)] ?? NaN;
const lines = ['| M | efConstruction | build s | ef | query p50 ms | recall@10 |', '|---|---|---|---|---|---|'];
for (const m of [8, 16, 32]) {
  for (const efConstruction of [100, 200]) {
    const started = performance.now();
    const index = VectorIndex.build(vectors, dimensions, { m, efConstruction, ef: 64 });
    const buildSeconds = (performance.now() - started) / 1000;
    for (const ef of [32, 64, 128]) {
      index.setEf(ef);
      const times: number[] = [];
      let found = 0;
      queries.forEach((query, position) => {
        const at = performance.now();
        const hits = index.search(query, 10);
        times.push(performance.now() - at);
        const kth = ((truth[position] ?? [])[9]?.similarity ?? -Infinity) - 1e-6;
        found += hits.filter((hit) => hit.similarity >= kth).length;
      });
      lines.push(
        `| ${m} | ${efConstruction} | ${buildSeconds.toFixed(1)} | ${ef} | ${median(times).toFixed(3)} | ${(found / (10 * queries.length)).toFixed(3)} |`,
      );
    }
  }
}
process.stdout.write(
  `${manifest.chunks} vectors, ${queries.length} queries, exact p50 ${median(
    queries.map((query) => {
      const at = performance.now();
      exact.search(query, 10);
      return performance.now() - at;
    }),
  ).toFixed(3)} ms\n${lines.join('\n')}\n`,
);
