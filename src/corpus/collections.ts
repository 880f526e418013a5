/**
 * Collections: the sub-folders of the corpus folder. A document's id is its path relative to the
 * corpus folder with `/` separators: the bare file name at the top (the "default" collection, so
 * the ids of a corpus without sub-folders never change), `<collection>/<name>` in a sub-folder.
 * The collection is read from the id: nothing else needs to store it.
 */

import { collectionOf, DEFAULT_COLLECTION } from '../core/collections.js';

export { collectionOf, DEFAULT_COLLECTION };

/** Lowercase letters, digits, `-` and `_`, starting with a letter or digit, 1–32 characters. */
const COLLECTION_NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;

/** What a valid collection name is, as said to people. */
export const COLLECTION_NAME_RULE = 'lowercase letters, digits, - and _ (starting with a letter or digit), 1–32 characters';

/**
 * Why `name` cannot name a collection folder, or null when it can. `default` is refused: it is the
 * name of the files at the top of the corpus folder, not a folder.
 */
export function collectionNameProblem(name: string): string | null {
  if (name === DEFAULT_COLLECTION)
    return `"${DEFAULT_COLLECTION}" is the collection of the files at the top of CORPUS_DIR, not a folder name`;
  if (!COLLECTION_NAME.test(name)) return `a collection name is ${COLLECTION_NAME_RULE}`;
  return null;
}

/** Whether `name` is a collection a document can be in: a valid folder name, or `default`. */
export function isCollectionName(name: string): boolean {
  return name === DEFAULT_COLLECTION || collectionNameProblem(name) === null;
}

/**
 * The document id (= the path relative to CORPUS_DIR, `/`-separated) of file `fileName` saved in
 * `collection` (`default`: the top of the folder). Throws a RangeError for an invalid collection or
 * a file name that is a path.
 */
export function documentIdFor(collection: string, fileName: string): string {
  if (fileName.length === 0 || fileName === '.' || fileName === '..' || /[/\\\0]/.test(fileName)) {
    throw new RangeError(`"${fileName}" is not a file name (no folders, no / or \\)`);
  }
  if (collection === DEFAULT_COLLECTION) return fileName;
  const problem = collectionNameProblem(collection);
  if (problem !== null) throw new RangeError(`"${collection}" is not a collection name: ${problem}`);
  return `${collection}/${fileName}`;
}

/** A document id's file name, without its collection folder. */
export function fileNameOf(documentId: string): string {
  return documentId.slice(documentId.indexOf('/') + 1);
}
