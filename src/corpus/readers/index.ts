import { createHash } from 'node:crypto';
import path from 'node:path';
import type { CorpusDocument, DocumentFormat } from '../../core/types.js';
import { hashContent, parseDocument } from '../metadata.js';
import { decodeText } from '../text-encoding.js';
import { assembleDocument, type ReadDocument } from './document-model.js';
import { readHtml } from './html.js';
import { readMarkdown } from './markdown.js';
import { readPdf, UnreadableDocument } from './pdf.js';

export { MAX_PDF_PAGES, UnreadableDocument } from './pdf.js';

/** The formats read, by file extension (any case). */
const FORMAT_OF_EXTENSION: Readonly<Record<string, DocumentFormat>> = {
  '.txt': 'text',
  '.text': 'text',
  '.md': 'markdown',
  '.markdown': 'markdown',
  '.html': 'html',
  '.htm': 'html',
  '.pdf': 'pdf',
};

/** Larger files are refused unread: a corpus document this large is a data dump or a scan. */
export const MAX_DOCUMENT_BYTES = 50 * 1024 * 1024;

/** The format a file name is read as, or null when it is not a corpus document. */
export function formatOf(file: string): DocumentFormat | null {
  return FORMAT_OF_EXTENSION[path.extname(file).toLowerCase()] ?? null;
}

/** The extensions read, for messages (".txt, .md, .html, .pdf"). */
export const READ_EXTENSIONS = ['.txt', '.md', '.html', '.pdf'] as const;

/**
 * What a file's content hash is: of its decoded text for text formats (so an index built before
 * the readers stays current), of its bytes for a PDF; a reason when the file cannot be read.
 */
export function contentHashOf(file: string, bytes: Uint8Array): { contentHash: string } | { reason: string } {
  if (formatOf(file) === 'pdf') return { contentHash: createHash('sha256').update(bytes).digest('hex') };
  const decoded = decodeText(bytes);
  return 'text' in decoded ? { contentHash: hashContent(decoded.text) } : decoded;
}

/** Read one corpus file with the reader of its format; a reason instead when it cannot be read. */
export async function readDocumentFile(
  file: string,
  bytes: Uint8Array,
): Promise<CorpusDocument | { reason: string; contentHash?: string }> {
  const format = formatOf(file);
  if (format === null) return { reason: `not a document format read here (${READ_EXTENSIONS.join(', ')})` };
  if (bytes.byteLength >= MAX_DOCUMENT_BYTES) {
    return {
      reason: `${(bytes.byteLength / 1024 / 1024).toFixed(0)} MB, over the ${MAX_DOCUMENT_BYTES / 1024 / 1024} MB read per document`,
    };
  }
  const hashed = contentHashOf(file, bytes);
  if ('reason' in hashed) return hashed;
  const { contentHash } = hashed;
  try {
    if (format === 'pdf') return withText(assembleDocument(file, contentHash, await readPdf(bytes)));
    const decoded = decodeText(bytes);
    if (!('text' in decoded)) return decoded;
    if (format === 'text') return parseDocument(file, decoded.text);
    const read: ReadDocument = format === 'markdown' ? readMarkdown(decoded.text) : readHtml(decoded.text);
    return withText(assembleDocument(file, contentHash, read));
  } catch (error) {
    if (error instanceof UnreadableDocument) return { reason: error.message, contentHash };
    return { reason: `could not be read as ${format} (${(error as Error).message})`, contentHash };
  }
}

function withText(document: CorpusDocument): CorpusDocument | { reason: string; contentHash: string } {
  return document.paragraphs.some((paragraph) => paragraph.kind !== 'code' && paragraph.kind !== 'heading')
    ? document
    : { reason: 'no prose text found in it', contentHash: document.contentHash };
}
