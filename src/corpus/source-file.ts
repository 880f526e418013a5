/**
 * What a file added from Discord (`/add-source`) must be before it joins the corpus, and where it
 * goes. Pure: the checks take the attachment's name, declared size, content type and bytes.
 */
import path from 'node:path';
import { COLLECTION_NAME_RULE, DEFAULT_COLLECTION, documentIdFor, isCollectionName } from './collections.js';
import { decodeText } from './text-encoding.js';

export { DEFAULT_COLLECTION };

/** Largest source accepted: 1 MB (1,048,576 bytes) of text, Markdown or HTML. */
export const MAX_SOURCE_BYTES = 1024 * 1024;
/** Largest PDF accepted: 10 MB (a PDF carries fonts and pictures beside its text). */
export const MAX_PDF_SOURCE_BYTES = 10 * 1024 * 1024;
/** A sanitised name is at most this many UTF-8 bytes (and so fits an autocomplete choice, 100 characters). */
export const MAX_SOURCE_NAME_BYTES = 100;

/** The formats the corpus reads (`corpus/readers/`), as a source added from Discord may be. */
const SOURCE_EXTENSIONS = new Set(['.txt', '.md', '.html', '.pdf']);
const EXTENSIONS_SAID = '.txt, .md, .html or .pdf';

/** The size limit of a source by its (sanitised) name. */
export function maxSourceBytes(name: string): number {
  return path.extname(name).toLowerCase() === '.pdf' ? MAX_PDF_SOURCE_BYTES : MAX_SOURCE_BYTES;
}

export type Checked<T> = ({ readonly ok: true } & T) | { readonly ok: false; readonly reason: string };

/** What Discord says about an attachment before it is downloaded. */
export interface DeclaredSource {
  readonly name: string;
  /** Bytes, as Discord declares them. */
  readonly size: number;
  /** The MIME type Discord guessed, or null. */
  readonly contentType: string | null;
}

/** A size in MB for messages, rounded up so nothing over a limit reads as the limit: `1 MB`, `1.01 MB`, `2.5 MB`. */
export function describeSize(bytes: number): string {
  return `${Math.ceil((bytes / (1024 * 1024)) * 100) / 100} MB`;
}

/**
 * The checks that need no download: the name (refused with a path in it, a control character or a
 * leading dot; otherwise sanitised, see {@link sanitiseSourceName}), the extension, the declared
 * size and the content type. A content type is refused only when Discord names one that is not text.
 */
export function checkDeclaredSource(declared: DeclaredSource): Checked<{ readonly name: string }> {
  const named = sanitiseSourceName(declared.name);
  if (!named.ok) return named;
  const limit = maxSourceBytes(named.name);
  if (declared.size > limit) {
    return { ok: false, reason: `\`${named.name}\` is ${describeSize(declared.size)}; the limit is ${describeSize(limit)}.` };
  }
  const type = (declared.contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const pdf = named.name.endsWith('.pdf');
  const expected = pdf ? type === 'application/pdf' : type.startsWith('text/') || type === 'application/xhtml+xml';
  if (type !== '' && !expected && type !== 'application/octet-stream') {
    return {
      ok: false,
      reason: `\`${named.name}\` is ${type}, not ${pdf ? 'a PDF' : 'text'}: only ${EXTENSIONS_SAID} files can be added.`,
    };
  }
  return named;
}

/**
 * The downloaded bytes: at most 1 MB (10 MB for a PDF), UTF-8 (a byte-order mark is allowed and
 * dropped by the reader), not binary, not empty or only blank; a PDF only needs its header here. UTF-16 is refused although the corpus reader
 * accepts it: files added from Discord are kept as sent, and kept UTF-8 like the rest of the corpus.
 */
export function checkSourceBytes(name: string, bytes: Uint8Array): Checked<{ readonly text: string }> {
  const limit = maxSourceBytes(name);
  if (bytes.length > limit) return { ok: false, reason: `\`${name}\` is larger than ${describeSize(limit)}.` };
  if (bytes.length === 0) return { ok: false, reason: `\`${name}\` is empty.` };
  if (name.endsWith('.pdf')) {
    // Whether its text can be read is the PDF reader's to say; here only that it is a PDF at all.
    const header = Buffer.from(bytes.subarray(0, 1024)).toString('latin1');
    return header.includes('%PDF-') ? { ok: true, text: '' } : { ok: false, reason: `\`${name}\` is not a PDF (it has no PDF header).` };
  }
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return { ok: false, reason: `\`${name}\` is UTF-16 text: save it as UTF-8 and add it again.` };
  }
  const decoded = decodeText(bytes);
  if ('reason' in decoded) {
    const reason = decoded.reason.startsWith('not valid') ? 'not valid UTF-8 text: save it as UTF-8' : decoded.reason;
    return { ok: false, reason: `\`${name}\` is ${reason}.` };
  }
  if (decoded.text.trim().length === 0) return { ok: false, reason: `\`${name}\` has only blank space, no text.` };
  return { ok: true, text: decoded.text };
}

/** Every check of an uploaded source: the declared facts, then the bytes. */
export function checkSourceFile(declared: DeclaredSource, bytes: Uint8Array): Checked<{ readonly name: string; readonly text: string }> {
  const named = checkDeclaredSource(declared);
  if (!named.ok) return named;
  const content = checkSourceBytes(named.name, bytes);
  if (!content.ok) return content;
  return { ok: true, name: named.name, text: content.text };
}

/**
 * A file name safe to store. Refused: a path (`/`, `\`, `..`), a control character, a leading dot,
 * an extension other than .txt, .md, .html or .pdf (any case). Otherwise: Unicode NFC, lower case, each run of
 * blanks becomes `-`, only letters, digits, `-`, `_` and `.` are kept, runs of `-` collapse, and the
 * stem is shortened so the name fits in {@link MAX_SOURCE_NAME_BYTES} UTF-8 bytes. Lower case keeps
 * `Notes.md` and `notes.md` from being two documents on one disk and one on another.
 */
export function sanitiseSourceName(original: string): Checked<{ readonly name: string }> {
  const shown = visible(original);
  if (/[/\\]/.test(original) || original.includes('..')) {
    return { ok: false, reason: `\`${shown}\` has a path in its name: send the file itself, named like \`notes.md\`.` };
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused.
  if (/[\u0000-\u001f\u007f-\u009f]/.test(original)) return { ok: false, reason: 'The file name has control characters in it.' };
  if (original.startsWith('.')) return { ok: false, reason: `\`${shown}\` starts with a dot (a hidden file): rename it.` };
  const extension = path.extname(original).toLowerCase();
  if (!SOURCE_EXTENSIONS.has(extension)) {
    return { ok: false, reason: `\`${shown}\` is not a ${EXTENSIONS_SAID} file: only files of those formats can be added.` };
  }
  const stem = original
    .slice(0, original.length - extension.length)
    .normalize('NFC')
    .toLowerCase()
    .replace(/\s+/gu, '-')
    .replace(/[^\p{L}\p{M}\p{N}._-]/gu, '')
    .replace(/-{2,}/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '');
  if (!/[\p{L}\p{N}]/u.test(stem)) {
    return { ok: false, reason: `\`${shown}\` has no letters or digits in its name to keep: rename it.` };
  }
  return { ok: true, name: `${fitBytes(stem, MAX_SOURCE_NAME_BYTES - extension.length)}${extension}` };
}

/** A collection a source can be added to: `default` (the top of CORPUS_DIR) or a valid folder name. */
export function checkCollectionName(collection: string): Checked<{ readonly collection: string }> {
  if (isCollectionName(collection)) return { ok: true, collection };
  return { ok: false, reason: `\`${visible(collection)}\` is not a collection name: use ${COLLECTION_NAME_RULE}.` };
}

/** Where a source is stored: its document id (`name`, or `<collection>/<name>`) under CORPUS_DIR. */
export function sourcePath(corpusDir: string, collection: string, name: string): string {
  return path.join(corpusDir, ...documentIdFor(collection, name).split('/'));
}

/** Cut to at most `limit` UTF-8 bytes on a character boundary. */
function fitBytes(text: string, limit: number): string {
  let result = '';
  let bytes = 0;
  for (const character of text) {
    bytes += Buffer.byteLength(character);
    if (bytes > limit) break;
    result += character;
  }
  return result.replace(/[-.]+$/, '');
}

/** A name as it can be shown inside backticks in a reply. */
function visible(name: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are not shown.
  return name.replace(/[`\u0000-\u001f\u007f-\u009f]/g, '?').slice(0, 100);
}
