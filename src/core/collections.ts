/**
 * How a document id names its collection, shared by every layer (rendering reads it from a
 * citation's `source`). A document id is its path under the corpus folder with `/` separators:
 * the bare file name at the top (the "default" collection), `<collection>/<name>` in a sub-folder.
 * Naming rules and the mapping the other way are in `corpus/collections.ts`.
 */

/** The collection of the files directly in the corpus folder. */
export const DEFAULT_COLLECTION = 'default';

/** The collection a document id belongs to: its folder, or `default` for a file at the top. */
export function collectionOf(documentId: string): string {
  const slash = documentId.indexOf('/');
  return slash < 0 ? DEFAULT_COLLECTION : documentId.slice(0, slash);
}
