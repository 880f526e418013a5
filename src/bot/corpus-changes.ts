/**
 * Adding and removing sources from Discord: the file is changed on disk, the engine reindexes
 * incrementally (only the changed document is embedded), and the change is kept only when that
 * worked — otherwise the folder is put back as it was. Changes and `/reindex` run one at a time
 * (a queue in this process; the ingest lock guards the index against other processes), and each
 * kept change is audited: one log line and one line of `DATA_DIR/audit.jsonl`.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../core/log.js';
import type { AnswerEngine, DocumentSummary, IngestReport } from '../core/types.js';
import { collectionOf, documentIdFor, fileNameOf } from '../corpus/collections.js';
import { sourcePath } from '../corpus/source-file.js';
import { SourceExistsError, type StagedChange, stageRemove, stageWrite } from '../corpus/write.js';
import { JsonLines } from './jsonl.js';

export const AUDIT_FILE = 'audit.jsonl';

/** Who made a change, and where. */
export interface Actor {
  readonly userId: string;
  readonly userTag: string;
  readonly guildId: string | null;
  readonly channelId: string | null;
}

/** One line of the audit file (and of the log, after `audit `). */
export interface AuditEntry {
  readonly type: 'add-source' | 'remove-source';
  readonly at: string;
  readonly user: { readonly id: string; readonly tag: string };
  readonly guild: string | null;
  readonly channel: string | null;
  readonly document: string;
  readonly collection: string;
  readonly name: string;
  readonly bytes: number;
  readonly sha256: string;
  /** add-source: whether an earlier version was replaced. */
  readonly replaced?: boolean;
  /** add-source of a page fetched from the web (`/add-source url:`, a feed): its address. */
  readonly url?: string;
}

/** An audit line that is no change of the corpus: a web source skipped, a feed added or removed. */
export interface SourceEvent {
  readonly type: 'skip-source' | 'add-feed' | 'remove-feed';
  readonly url: string;
  /** skip-source: why it was not added (refused, a duplicate of a document, unreadable). */
  readonly reason?: string;
  readonly collection?: string;
  /** The feed it came from, or that was added or removed. */
  readonly feed?: string;
}

/** A {@link SourceEvent} as its audit line: when, and who. */
export type AuditedEvent = SourceEvent & {
  readonly at: string;
  readonly user: AuditEntry['user'];
  readonly guild: string | null;
  readonly channel: string | null;
};

/** `DATA_DIR/audit.jsonl` and the log's `audit` lines: written by corpus changes, feeds and the CLI. */
export class AuditLog {
  private readonly lines: JsonLines<AuditEntry | AuditedEvent>;

  constructor(
    dataDir: string,
    private readonly log: Logger,
  ) {
    this.lines = new JsonLines(path.join(dataDir, AUDIT_FILE));
  }

  /** Audit what was not a change of the corpus (a web source skipped, a feed added or removed). */
  async note(event: SourceEvent, actor: Actor): Promise<void> {
    const at = new Date().toISOString();
    await this.write({ ...event, at, user: { id: actor.userId, tag: actor.userTag }, guild: actor.guildId, channel: actor.channelId });
  }

  async write(entry: AuditEntry | AuditedEvent): Promise<void> {
    this.log.info(`audit ${JSON.stringify(entry)}`);
    // The change is made: an audit file that cannot be written is logged, not reported as a failed change.
    await this.lines.append(entry).catch((error: unknown) => this.log.error(`could not append to ${this.lines.file}`, error));
  }
}

/** A change kept: the document as indexed (added) or as it was (removed), and what the reindex did. */
export type ChangeOutcome =
  | {
      readonly ok: true;
      readonly documentId: string;
      /** add: an earlier version was replaced. */
      readonly replaced: boolean;
      readonly document: DocumentSummary;
      readonly report: IngestReport;
    }
  | { readonly ok: false; readonly reason: string };

export class CorpusChanges {
  private queue: Promise<unknown> = Promise.resolve();
  readonly audit: AuditLog;

  constructor(
    private readonly corpusDir: string,
    private readonly engine: AnswerEngine,
    private readonly log: Logger,
    dataDir: string,
  ) {
    this.audit = new AuditLog(dataDir, log);
  }

  /** Run `work` after every change queued before it. */
  serialise<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Save `bytes` as `name` in `collection` and index it; refused when it exists and `replace` is false. */
  add(request: {
    collection: string;
    name: string;
    bytes: Uint8Array;
    replace: boolean;
    actor: Actor;
    url?: string;
  }): Promise<ChangeOutcome> {
    const { collection, name, bytes, replace, actor } = request;
    const documentId = documentIdFor(collection, name);
    return this.serialise(async () => {
      let staged: StagedChange;
      try {
        staged = await stageWrite(sourcePath(this.corpusDir, collection, name), bytes, { replace });
      } catch (error) {
        if (error instanceof SourceExistsError) {
          return { ok: false, reason: `\`${documentId}\` is already a source: add it with \`replace:true\` to replace it.` };
        }
        throw error;
      }
      const indexed = await this.reindexOrRollback(staged, `adding ${documentId}`);
      if (!indexed.ok) return indexed;
      const document = this.engine.documents().find((candidate) => candidate.file === documentId);
      if (document === undefined) {
        // Saved where the reader does not look (a collection it does not read yet): take it out again.
        await staged.rollback();
        await this.engine.reindex().catch((error: unknown) => this.log.error(`reindex after taking ${documentId} out again failed`, error));
        return { ok: false, reason: `The corpus reader skipped \`${documentId}\` (see \`/reindex\`), so it was taken out again.` };
      }
      await staged.commit();
      await this.record({
        type: 'add-source',
        actor,
        documentId,
        bytes,
        replaced: staged.replaced,
        ...(request.url ? { url: request.url } : {}),
      });
      return { ok: true, documentId, replaced: staged.replaced, document, report: indexed.report };
    });
  }

  /** Take a document out of the corpus and the index; refused for a name that is not a document, or the last one. */
  remove(request: { documentId: string; actor: Actor }): Promise<ChangeOutcome> {
    const { documentId, actor } = request;
    return this.serialise(async () => {
      const documents = this.engine.documents();
      const document = documents.find((candidate) => candidate.file === documentId);
      if (document === undefined) return { ok: false, reason: `\`${documentId}\` is not a source: pick one from the suggestions.` };
      if (documents.length === 1) return { ok: false, reason: `\`${documentId}\` is the only source: I need at least one to answer from.` };
      const collection = collectionOf(documentId);
      const name = fileNameOf(documentId);
      const file = sourcePath(this.corpusDir, collection, name);
      // Ids come from the corpus reader, but this deletes: never outside the corpus folder.
      if (path.relative(this.corpusDir, file).startsWith('..') || path.isAbsolute(path.relative(this.corpusDir, file))) {
        return { ok: false, reason: `\`${documentId}\` is not a file of the corpus folder.` };
      }
      let bytes: Uint8Array;
      try {
        bytes = await readFile(file);
      } catch {
        return { ok: false, reason: `\`${documentId}\` is no longer in the corpus folder: \`/reindex\` brings the index in line.` };
      }
      const staged = await stageRemove(file);
      const indexed = await this.reindexOrRollback(staged, `removing ${documentId}`);
      if (!indexed.ok) return indexed;
      await staged.commit();
      await this.record({ type: 'remove-source', actor, documentId, bytes, replaced: true });
      return { ok: true, documentId, replaced: false, document, report: indexed.report };
    });
  }

  private async reindexOrRollback(
    staged: StagedChange,
    what: string,
  ): Promise<{ ok: true; report: IngestReport } | { ok: false; reason: string }> {
    try {
      return { ok: true, report: await this.engine.reindex() };
    } catch (error) {
      this.log.error(`${what}: indexing failed; the corpus folder is put back as it was`, error);
      await staged.rollback();
      // The engine still answers from the index it had; a later /reindex or restart brings the saved index in line.
      const message = (error instanceof Error ? error.message : String(error)).split('\n')[0]?.slice(0, 300) ?? '';
      return { ok: false, reason: `Indexing failed: ${message}.` };
    }
  }

  private async record(change: {
    type: AuditEntry['type'];
    actor: Actor;
    documentId: string;
    bytes: Uint8Array;
    replaced: boolean;
    url?: string;
  }): Promise<void> {
    const collection = collectionOf(change.documentId);
    const name = fileNameOf(change.documentId);
    const entry: AuditEntry = {
      type: change.type,
      at: new Date().toISOString(),
      user: { id: change.actor.userId, tag: change.actor.userTag },
      guild: change.actor.guildId,
      channel: change.actor.channelId,
      document: change.documentId,
      collection,
      name,
      bytes: change.bytes.length,
      sha256: createHash('sha256').update(change.bytes).digest('hex'),
      ...(change.type === 'add-source' ? { replaced: change.replaced } : {}),
      ...(change.url === undefined ? {} : { url: change.url }),
    };
    await this.audit.write(entry);
  }

  /** Audit what was not a change of the corpus (a web source skipped, a feed added or removed). */
  note(event: SourceEvent, actor: Actor): Promise<void> {
    return this.audit.note(event, actor);
  }
}
