/**
 * Adding a page from the web (`/add-source url:`, "Add linked article to sources", a feed's new
 * items): fetch it under the safety rules, read it as the corpus will, refuse a page that is
 * already a source (same canonical URL or same content), and add it through {@link CorpusChanges}
 * like an uploaded file (so the reindex, the rollback and the audit are the same).
 *
 * Where each page came from is kept in `DATA_DIR/web-sources.json` (document id → URL, canonical
 * URL, fetched-at, ETag, content hash), not beside it in the corpus folder: the corpus stays plain
 * documents that any reader or `/remove-source` handles as before, and the duplicate check reads
 * one small file. An entry whose document is gone (removed) no longer counts.
 */
import path from 'node:path';
import { z } from 'zod';
import type { WebSourceSettings } from '../config.js';
import type { Logger } from '../core/log.js';
import type { AnswerEngine } from '../core/types.js';
import { documentIdFor } from '../corpus/collections.js';
import { fetchSource, type FetchPolicy } from '../sources/fetch.js';
import { pageDocument, pagePolicy } from '../sources/web-page.js';
import type { Actor, ChangeOutcome, CorpusChanges } from './corpus-changes.js';
import { JsonStateFile } from './json-state.js';

export const WEB_SOURCES_FILE = 'web-sources.json';

const WebSourceEntry = z.object({
  /** The address asked for. */
  url: z.string(),
  /** Where it was fetched from after redirects. */
  fetchedFrom: z.string(),
  canonicalUrl: z.string(),
  fetchedAt: z.string(),
  etag: z.string().nullable(),
  lastModified: z.string().nullable(),
  contentType: z.string(),
  /** sha256 of the fetched bytes. */
  sha256: z.string(),
  /** The feed that brought it, when one did. */
  feed: z.string().optional(),
});
const WebSourcesFile = z.object({ version: z.literal(1), documents: z.record(z.string(), WebSourceEntry) });
type WebSourcesFile = z.infer<typeof WebSourcesFile>;

export type WebAddOutcome =
  | (Extract<ChangeOutcome, { ok: true }> & { readonly canonicalUrl: string; readonly fetchMs: number })
  | { readonly ok: false; readonly reason: string; readonly duplicateOf?: string };

export class WebSources {
  private readonly manifest: JsonStateFile<typeof WebSourcesFile>;
  readonly policy: FetchPolicy;

  constructor(
    private readonly corpusChanges: CorpusChanges,
    private readonly engine: AnswerEngine,
    private readonly log: Logger,
    dataDir: string,
    settings: WebSourceSettings,
    /** Tests only: addresses let through although private (a loopback server standing in for a public host). */
    trustedAddresses?: ReadonlySet<string>,
  ) {
    this.manifest = new JsonStateFile(
      path.join(dataDir, WEB_SOURCES_FILE),
      WebSourcesFile,
      log,
      'Pages already added may be added again until they are re-added.',
    );
    this.policy = { ...pagePolicy(settings), ...(trustedAddresses === undefined ? {} : { trustedAddresses }) };
  }

  /** The test-only exemptions of the address rules, to fetch other things (feeds) under the same rules. */
  trusted(): { trustedAddresses?: ReadonlySet<string> } {
    return this.policy.trustedAddresses === undefined ? {} : { trustedAddresses: this.policy.trustedAddresses };
  }

  /** Audit a page that was not fetched at all (a feed item too old to fetch). */
  noteSkip(skip: { url: string; reason: string; collection: string; feed?: string }, actor: Actor): Promise<void> {
    return this.corpusChanges.note({ type: 'skip-source', ...skip }, actor);
  }

  /** Fetch `url` and add it to `collection`; every refusal is audited as a skip. */
  async add(request: { url: string; collection: string; replace: boolean; actor: Actor; feed?: string }): Promise<WebAddOutcome> {
    const outcome = await this.fetchAndAdd(request);
    if (!outcome.ok) {
      const feed = request.feed === undefined ? {} : { feed: request.feed };
      await this.corpusChanges.note(
        { type: 'skip-source', url: request.url, reason: outcome.reason, collection: request.collection, ...feed },
        request.actor,
      );
    }
    return outcome;
  }

  private async fetchAndAdd(request: {
    url: string;
    collection: string;
    replace: boolean;
    actor: Actor;
    feed?: string;
  }): Promise<WebAddOutcome> {
    const started = performance.now();
    const fetched = await fetchSource(request.url, this.policy);
    if (fetched.kind !== 'fetched')
      return { ok: false, reason: fetched.kind === 'refused' ? fetched.reason : 'the server answered 304 Not Modified to a plain request' };
    const fetchMs = performance.now() - started;
    const page = await pageDocument(fetched);
    if ('reason' in page) return { ok: false, reason: page.reason };
    const saved = (await this.manifest.read()) ?? { version: 1, documents: {} };
    const live = new Set(this.engine.documents().map((document) => document.file));
    let name = page.name;
    const target = documentIdFor(request.collection, name);
    const duplicate = duplicateOf(saved, live, { canonicalUrl: page.canonicalUrl, url: fetched.url, sha256: page.sha256 });
    if (duplicate !== null && !(request.replace && duplicate.documentId === target)) {
      return {
        ok: false,
        reason: `it is already a source: \`${duplicate.documentId}\` (${duplicate.why})`,
        duplicateOf: duplicate.documentId,
      };
    }
    // Another page with the same slug: keep both, told apart by the content hash.
    if (live.has(target) && !request.replace) name = name.replace(/(\.[a-z]+)$/, `-${page.sha256.slice(0, 8)}$1`);
    const change = await this.corpusChanges.add({
      collection: request.collection,
      name,
      bytes: page.bytes,
      replace: request.replace,
      actor: request.actor,
      url: fetched.url,
    });
    if (!change.ok) return change;
    const entry = {
      url: request.url,
      fetchedFrom: fetched.url,
      canonicalUrl: page.canonicalUrl,
      fetchedAt: fetched.fetchedAt,
      etag: fetched.etag,
      lastModified: fetched.lastModified,
      contentType: fetched.contentType,
      sha256: page.sha256,
      ...(request.feed === undefined ? {} : { feed: request.feed }),
    };
    await this.remember(change.documentId, entry);
    return { ...change, canonicalUrl: page.canonicalUrl, fetchMs };
  }

  /** Keep where a document came from; the document is added already, so a failed write is logged, not a failed add. */
  private async remember(documentId: string, entry: z.infer<typeof WebSourceEntry>): Promise<void> {
    try {
      await this.manifest.update((saved) => ({
        state: { version: 1 as const, documents: { ...saved?.documents, [documentId]: entry } },
        result: undefined,
      }));
    } catch (error) {
      this.log.error(`could not record where ${documentId} came from in ${this.manifest.file}`, error);
    }
  }
}

/** The live document that already is this page (same canonical URL, same address or same bytes), or null. */
function duplicateOf(
  saved: WebSourcesFile,
  live: ReadonlySet<string>,
  page: { canonicalUrl: string; url: string; sha256: string },
): { documentId: string; why: string } | null {
  for (const [documentId, entry] of Object.entries(saved.documents)) {
    if (!live.has(documentId)) continue;
    if (entry.canonicalUrl === page.canonicalUrl) return { documentId, why: `the same canonical URL, ${page.canonicalUrl}` };
    if (entry.fetchedFrom === page.url) return { documentId, why: `fetched from the same address, ${page.url}` };
    if (entry.sha256 === page.sha256) return { documentId, why: 'the same content' };
  }
  return null;
}
