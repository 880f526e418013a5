/** The private replies of `/add-source` and `/remove-source`. */
import type { DocumentSummary, IngestReport } from '../core/types.js';
import { escapeInline, fitContent } from './discord-format.js';

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function code(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}

/** What was added: the stored name (and the name it was sent as, when sanitising changed it), its collection, size, chunks and times. */
export function renderSourceAdded(added: {
  readonly documentId: string;
  readonly collection: string;
  readonly sentAs: string;
  readonly storedAs: string;
  readonly replaced: boolean;
  readonly document: DocumentSummary;
  readonly report: IngestReport;
  readonly totalMs: number;
}): string {
  const { document, report } = added;
  const renamed = added.sentAs === added.storedAs ? '' : ` (sent as ${code(added.sentAs)})`;
  return fitContent(
    [
      `${added.replaced ? 'Replaced' : 'Added'} ${code(added.documentId)}${renamed} in collection ${code(added.collection)}: ` +
        `**${escapeInline(document.title)}**${document.date === null ? '' : ` (${document.date})`}.`,
      `${document.chunks} chunks, ${document.characters.toLocaleString('en-US')} characters; indexed in ${seconds(report.durationMs)} ` +
        `(${seconds(added.totalMs)} in all). ${report.documents} sources now; questions are answered from it at once.`,
    ].join('\n'),
  );
}

/** What was removed, and what is left. */
export function renderSourceRemoved(removed: {
  readonly documentId: string;
  readonly collection: string;
  readonly document: DocumentSummary;
  readonly report: IngestReport;
  readonly totalMs: number;
}): string {
  const title = `: **${escapeInline(removed.document.title)}**`;
  return fitContent(
    `Removed ${code(removed.documentId)} from collection ${code(removed.collection)}${title}. ` +
      `${removed.report.documents} sources remain; indexed in ${seconds(removed.report.durationMs)} (${seconds(removed.totalMs)} in all).`,
  );
}
