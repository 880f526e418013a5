import { type ChildProcess, fork } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Config } from '../config.js';
import type { Logger } from '../core/log.js';
import type { RefreshOutcome, SyncOptions } from './sync.js';

/** What a build in another process hands back: the saved index's manifest and the report; the caller loads the index. */
export type BuiltElsewhere = RefreshOutcome;

/** The one message the serving process sends to the ingest process. */
export interface ChildIngestRequest {
  readonly config: Config;
  /** The model the serving process loaded (the configured one, or the fallback it fell back to): the index must be of it. */
  readonly modelId: string;
  readonly mode: SyncOptions['mode'];
  /** Whether progress lines are drawn as a bar (the serving process's stderr is a terminal). */
  readonly terminal: boolean;
}

/** What the ingest process sends back: its log lines and progress as they come, then its result or its error. */
export type ChildIngestMessage =
  | { readonly type: 'log'; readonly level: 'error' | 'warn' | 'info' | 'debug'; readonly message: string }
  | { readonly type: 'progress'; readonly text: string }
  | { readonly type: 'done'; readonly result: BuiltElsewhere }
  | { readonly type: 'failed'; readonly name: string; readonly message: string };

/** An ingest process that ended without a result (killed, crashed, out of memory): the index in use is unchanged. */
export class IngestError extends Error {
  override readonly name = 'IngestError';
}

export interface ChildIngestOptions {
  /** Aborting kills the ingest process (the engine closing). */
  readonly signal?: AbortSignal;
  /** Where progress text goes; by default this process's stderr. */
  readonly progress?: { write(text: string): unknown; isTTY?: boolean };
}

/** The entry the ingest process runs: the compiled file next to this one, or the TypeScript source under tsx (tests, `npm run dev`). */
function childEntry(): { file: string; execArgv: string[] } {
  const fromSource = import.meta.filename.endsWith('.ts');
  if (!fromSource) return { file: path.join(import.meta.dirname, 'child.js'), execArgv: [] };
  // Resolved from here, not from the working folder, so any cwd works.
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return { file: path.join(import.meta.dirname, 'child.ts'), execArgv: ['--import', tsx] };
}

/**
 * Build or refresh the index in a child process that exits when done, so the serving process never
 * holds the model's working memory for a whole corpus (a native arena the runtime does not give back).
 * The child takes the writer's lock and saves the index as `npm run ingest` does; this resolves with
 * what it saved, or rejects with its error, or with an `IngestError` when it died without a result.
 */
export function ingestInChild(
  config: Config,
  modelId: string,
  mode: SyncOptions['mode'],
  log: Logger,
  options: ChildIngestOptions = {},
): Promise<BuiltElsewhere> {
  const progress = options.progress ?? process.stderr;
  const { file, execArgv } = childEntry();
  const child = fork(file, [], {
    execArgv,
    serialization: 'advanced',
    // Anything a library prints goes to stderr: stdout carries answers (`ask --json`).
    stdio: ['ignore', 2, 2, 'ipc'],
    ...(options.signal ? { signal: options.signal } : {}),
  });
  log.info(`Building the index in a separate process (pid ${child.pid})…`);
  return new Promise<BuiltElsewhere>((resolve, reject) => {
    let outcome: { result: BuiltElsewhere } | { error: Error } | null = null;
    child.on('message', (message: ChildIngestMessage) => {
      if (message.type === 'log') forwardLog(log, message);
      else if (message.type === 'progress') progress.write(message.text);
      else if (message.type === 'done') outcome = { result: message.result };
      else outcome = { error: Object.assign(new Error(message.message), { name: message.name }) };
    });
    child.on('error', (error) => {
      const why = options.signal?.aborted ? 'was stopped: the engine is closing' : `could not run: ${error.message}`;
      outcome ??= { error: new IngestError(`The ingest process ${why}; the index in use is unchanged.`) };
    });
    child.on('exit', (code, signal) => {
      if (outcome && 'result' in outcome) resolve(outcome.result);
      else reject(outcome?.error ?? new IngestError(endedWithout(child, code, signal)));
    });
    const request: ChildIngestRequest = { config, modelId, mode, terminal: Boolean(progress.isTTY) };
    child.send(request);
  });
}

function endedWithout(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): string {
  const how = signal === null ? `exited with code ${code}` : `was killed (${signal})`;
  return `The ingest process (pid ${child.pid}) ${how} before it finished; the index in use is unchanged.`;
}

function forwardLog(log: Logger, message: Extract<ChildIngestMessage, { type: 'log' }>): void {
  if (message.level === 'error') log.error(message.message);
  else log[message.level](message.message);
}
