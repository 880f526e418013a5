/**
 * Child-process entry for `ensureStaticModel`: reads `{ outputDir, options }` as JSON on stdin,
 * writes the model folder, prints progress lines on stdout; a failure exits non-zero with the error on stderr.
 */
import { writeStaticModel, type StaticModelOptions } from './static-model.js';

let input = '';
for await (const chunk of process.stdin) input += String(chunk);
const { outputDir, options } = JSON.parse(input) as { outputDir: string; options: StaticModelOptions };
await writeStaticModel(outputDir, options, (line) => process.stdout.write(`${line}\n`));
