import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/** Every file under a corpus folder (hidden and temp files too) with its sha256: what "unchanged" means. */
export async function corpusState(corpusDir: string): Promise<Record<string, string>> {
  const state: Record<string, string> = {};
  const walk = async (folder: string, prefix: string) => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const name = `${prefix}${entry.name}`;
      if (entry.isDirectory()) await walk(path.join(folder, entry.name), `${name}/`);
      else
        state[name] = createHash('sha256')
          .update(await readFile(path.join(folder, entry.name)))
          .digest('hex');
    }
  };
  await walk(corpusDir, '');
  return state;
}
