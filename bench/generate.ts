/** `tsx bench/generate.ts <size>`: write (or reuse) the synthetic corpus bench/corpora/docs-<size>/. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureCorpus } from './corpus.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const size = Number(process.argv[2] ?? '1000');
if (!Number.isInteger(size) || size < 1) throw new Error('usage: tsx bench/generate.ts <size>');
const folder = await ensureCorpus(path.join(root, 'seeds'), path.join(root, 'bench', 'corpora', `docs-${size}`), size, (line) =>
  process.stderr.write(`${line}\n`),
);
process.stdout.write(`${folder}\n`);
