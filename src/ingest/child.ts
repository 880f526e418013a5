/**
 * The ingest process (`ingestInChild`): receives one request, builds or refreshes the index with
 * its own model, sends the result and exits, handing all its memory back to the system.
 */
import type { Logger } from '../core/log.js';
import { embedderFor, storeFor, syncOptionsFor } from './ingest.js';
import type { ChildIngestMessage, ChildIngestRequest } from './in-child.js';
import { createProgress } from './progress.js';
import { refreshIndex } from './sync.js';

function send(message: ChildIngestMessage): Promise<void> {
  return new Promise((resolve) => process.send?.(message, undefined, {}, () => resolve()));
}

/** Log lines go to the serving process, which applies its level, prefix and redaction. */
const log: Logger = {
  error: (message, error) => {
    const detail = error === undefined ? '' : `: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
    void send({ type: 'log', level: 'error', message: `${message}${detail}` });
  },
  warn: (message) => void send({ type: 'log', level: 'warn', message }),
  info: (message) => void send({ type: 'log', level: 'info', message }),
  debug: (message) => void send({ type: 'log', level: 'debug', message }),
};

async function run(request: ChildIngestRequest): Promise<void> {
  const { config, modelId, mode, terminal } = request;
  // The serving process's model, not the configured one: after a fallback they differ, and so would the vectors.
  const embedder = await embedderFor({ ...config, embeddingModel: modelId }, log);
  const store = storeFor(config);
  const stream = { isTTY: terminal, write: (text: string) => void send({ type: 'progress', text }) };
  try {
    const options = { ...syncOptionsFor(config, embedder, log, mode, store), progress: createProgressTo(stream) };
    const { stored: _stored, ...result } = await refreshIndex(options);
    await send({ type: 'done', result });
  } finally {
    await store.close();
  }
}

function createProgressTo(stream: { isTTY: boolean; write(text: string): void }) {
  return (label: string, total: number, unit: string) => createProgress(label, total, unit, { stream });
}

// The serving process gone (exited, killed): nobody waits for this index; the lock and the resume log stay for the next run.
process.on('disconnect', () => process.exit(1));
process.once('message', (request: ChildIngestRequest) => {
  run(request).then(
    () => process.exit(0),
    async (error: unknown) => {
      const failure = error instanceof Error ? error : new Error(String(error));
      await send({ type: 'failed', name: failure.name, message: failure.message });
      process.exit(1);
    },
  );
});
