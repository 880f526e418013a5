// `node scripts/run-built.mjs dist/cli.js ask …` (what `npm start`, `npm run ask` and the other
// commands run): compiles src/ with `tsc -b` only when a source or tsconfig is newer than the last
// build, then runs the compiled entry point in this same process, with the arguments it would have
// had. A start with nothing changed skips the compiler's start-up and a second Node process.
// Plain Node: no TypeScript loader to start.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BUILD_INFO = 'dist/.tsbuildinfo';
const INPUTS = ['src', 'tsconfig.json', 'tsconfig.build.json'];

/** Newest modification time (ms) under `file`: files and folders (a deleted file changes its folder's time). */
function newestTime(file) {
  const stats = statSync(file, { throwIfNoEntry: false });
  if (!stats) return 0;
  if (!stats.isDirectory()) return stats.mtimeMs;
  let newest = stats.mtimeMs;
  for (const entry of readdirSync(file)) newest = Math.max(newest, newestTime(path.join(file, entry)));
  return newest;
}

/** Whether dist/ may be older than its sources (or missing). */
export function isStale(root = ROOT) {
  const built = statSync(path.join(root, BUILD_INFO), { throwIfNoEntry: false });
  if (!built) return true;
  return INPUTS.some((input) => newestTime(path.join(root, input)) > built.mtimeMs);
}

/** Compile src/ when it is newer than dist/; the compiler's output goes to stderr (stdout belongs to the command). */
export function buildIfStale(root = ROOT) {
  if (!isStale(root)) return;
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const run = spawnSync(process.execPath, [tsc, '-b', 'tsconfig.build.json'], { cwd: root, stdio: ['ignore', 2, 2] });
  if (run.status !== 0) process.exit(run.status ?? 1);
  // tsc leaves its build info alone when the output did not change (a file saved unchanged): mark the check done.
  const now = new Date();
  utimesSync(path.join(root, BUILD_INFO), now, now);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const entry = process.argv[2];
  if (!entry) {
    process.stderr.write('usage: node scripts/run-built.mjs dist/ENTRY.js [ARG …]\n');
    process.exit(2);
  }
  buildIfStale();
  const target = path.resolve(ROOT, entry);
  // The entry point reads its arguments from process.argv as if Node had started it.
  process.argv.splice(1, 2, target);
  await import(pathToFileURL(target).href);
}
