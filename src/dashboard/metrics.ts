/**
 * `/metrics` in Prometheus's text format (prom-client). Question counts and answer latencies come
 * from the question log as it is read, so they cover every process that appends to it (the console,
 * the bot, each shard) and survive a restart; the index gauges come from the source when scraped.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { ENTRIES, OUTCOMES, type QuestionLog } from './question-log.js';
import type { DashboardSource } from './source.js';

export interface Metrics {
  readonly registry: Registry;
  /** The text a scrape gets (reads the log's new lines first). */
  render(): Promise<string>;
}

export function createMetrics(log: QuestionLog, source: DashboardSource): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'seedquotes_process_' });
  // Registered in this order, which is the order a scrape lists them in.
  const registers = [registry];
  registerQuestionMetrics(log, registers);
  registerIndexMetrics(source, registers);
  registerIngestMetrics(source, registers);
  new Gauge({
    name: 'seedquotes_up',
    help: '1 when answering (an index is loaded and, for the bot, Discord is connected), as /healthz.',
    registers,
    collect() {
      this.set(isHealthy(source) ? 1 : 0);
    },
  });
  return {
    registry,
    async render() {
      await log.refresh();
      return registry.metrics();
    },
  };
}

/** Counts and latencies from the question log (re-counted from the start when the log is replaced). */
function registerQuestionMetrics(log: QuestionLog, registers: Registry[]): void {
  const questions = new Counter({
    name: 'seedquotes_questions_total',
    help: 'Questions recorded in the question log, by outcome (answered, abstained, refused) and entry (slash, mention, menu, console).',
    labelNames: ['outcome', 'entry'] as const,
    registers,
  });
  // Every pair present from the start, so a rate over a new label is never missing.
  for (const outcome of OUTCOMES) for (const entry of ENTRIES) questions.inc({ outcome, entry }, 0);
  const latency = new Histogram({
    name: 'seedquotes_answer_duration_seconds',
    help: 'Time the engine took to answer a question (questions whose log line records it).',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers,
  });
  log.onQuestion(
    (event) => {
      questions.inc({ outcome: event.outcome, entry: event.entry });
      if (event.ms !== null) latency.observe(event.ms / 1000);
    },
    () => {
      questions.reset();
      latency.reset();
    },
  );
  new Gauge({
    name: 'seedquotes_question_log_skipped_lines',
    help: 'Lines of the question log skipped as corrupt (not JSON, or not a question or vote).',
    registers,
    collect() {
      this.set(log.counts.skipped);
    },
  });
}

/** What the index in use holds, and whether it is being rebuilt. */
function registerIndexMetrics(source: DashboardSource, registers: Registry[]): void {
  new Gauge({
    name: 'seedquotes_documents',
    help: 'Documents in the index in use, by collection.',
    labelNames: ['collection'] as const,
    registers,
    collect() {
      this.reset();
      for (const [collection, count] of tally(source, () => 1)) this.set({ collection }, count);
    },
  });
  new Gauge({
    name: 'seedquotes_chunks',
    help: 'Chunks in the index in use, by collection.',
    labelNames: ['collection'] as const,
    registers,
    collect() {
      this.reset();
      for (const [collection, count] of tally(source, (document) => document.chunks)) this.set({ collection }, count);
    },
  });
  new Gauge({
    name: 'seedquotes_index_rebuilding',
    help: '1 while this process rebuilds the index (questions are answered from the old one meanwhile).',
    registers,
    collect() {
      this.set(source.index()?.rebuilding ? 1 : 0);
    },
  });
  new Gauge({
    name: 'seedquotes_index_built_timestamp_seconds',
    help: 'When the index in use was built (Unix time).',
    registers,
    collect() {
      const builtAt = source.index()?.builtAt;
      if (builtAt !== undefined) this.set(Date.parse(builtAt) / 1000);
    },
  });
}

/** The rebuilds this process ran, and the last one's duration and changes. */
function registerIngestMetrics(source: DashboardSource, registers: Registry[]): void {
  let ingestsSeen = 0;
  new Counter({
    name: 'seedquotes_ingests_total',
    help: 'Index rebuilds this process ran since it started (/reindex, /add-source, /remove-source).',
    registers,
    collect() {
      const ingests = source.index()?.ingests ?? 0;
      if (ingests > ingestsSeen) this.inc(ingests - ingestsSeen);
      ingestsSeen = Math.max(ingestsSeen, ingests);
    },
  });
  new Gauge({
    name: 'seedquotes_ingest_last_duration_seconds',
    help: 'How long the last ingest of this process took (loading or refreshing the index at start-up, or a rebuild).',
    registers,
    collect() {
      const report = source.index()?.lastIngest;
      if (report) this.set(report.durationMs / 1000);
    },
  });
  new Gauge({
    name: 'seedquotes_ingest_last_documents',
    help: 'Documents the last ingest of this process added, changed or removed.',
    labelNames: ['change'] as const,
    registers,
    collect() {
      const report = source.index()?.lastIngest;
      if (!report) return;
      this.set({ change: 'added' }, report.added.length);
      this.set({ change: 'changed' }, report.changed.length);
      this.set({ change: 'removed' }, report.removed.length);
    },
  });
}

function tally(source: DashboardSource, count: (document: { chunks: number }) => number): Map<string, number> {
  const totals = new Map<string, number>();
  for (const document of source.index()?.documents ?? [])
    totals.set(document.collection, (totals.get(document.collection) ?? 0) + count(document));
  return totals;
}

/** Answering: an index with documents is loaded, and Discord (when this process runs the bot) is connected. */
export function isHealthy(source: DashboardSource): boolean {
  const index = source.index();
  return index !== null && index.documents.length > 0 && source.discord() !== 'disconnected';
}
