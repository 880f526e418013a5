/**
 * What the dashboard reads besides the question log: the index in use and the Discord connection.
 * `engineSource` gives them from a running engine (`npm start`); the manager of `npm run start:sharded`
 * holds no engine and gives what its shards report (src/sharded.ts).
 */
import type { Engine, ExplainedAnswer } from '../answer/engine.js';
import type { Config } from '../config.js';
import type { DocumentSummary, IngestReport } from '../core/types.js';

export type DiscordStatus = 'connected' | 'disconnected' | 'off';

export interface IndexStatus {
  readonly documents: readonly DocumentSummary[];
  readonly model: string;
  readonly store: string;
  /** When the index in use was built (ISO). */
  readonly builtAt: string;
  readonly rebuilding: boolean;
  /** What loading or the last rebuild of this process did. */
  readonly lastIngest: IngestReport | null;
  /** Rebuilds this process ran (`/reindex`, `/add-source`, `/remove-source`) since it started. */
  readonly ingests: number;
}

export interface DashboardSource {
  /** The index in use; null while none is loaded. */
  index(): IndexStatus | null;
  discord(): DiscordStatus;
  /** The engine's answer to a question now, with the candidates and scores behind it; absent without an engine. */
  readonly explain?: (question: string, collections: readonly string[] | null) => Promise<ExplainedAnswer>;
}

export function engineSource(engine: Engine, config: Config, discord: () => DiscordStatus): DashboardSource {
  let ingests = 0;
  engine.onIngest(() => {
    ingests += 1;
  });
  return {
    index: () => ({
      documents: engine.documents(),
      model: engine.modelId,
      store: config.store.kind,
      builtAt: engine.builtAt(),
      rebuilding: engine.rebuilding,
      lastIngest: engine.lastReport,
      ingests,
    }),
    discord,
    explain: (question, collections) => engine.explain(question, collections === null ? {} : { collections }),
  };
}
