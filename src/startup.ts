import { ConfigError, loadConfig, type Config } from './config.js';
import { createLogger, type Logger } from './core/log.js';

/** Exit code for invalid settings, so scripts can tell "misconfigured" from "crashed". */
export const EXIT_CONFIG = 2;

/** Parse settings or print one line per problem to stderr and exit 2. `prefix` starts every log line (`[shard 1] `). */
export function loadConfigOrExit(options: { prefix?: string } = {}): { config: Config; log: Logger } {
  try {
    const config = loadConfig();
    const prefix = options.prefix ?? '';
    const write = (line: string) => process.stderr.write(`${prefix}${line}\n`);
    return { config, log: createLogger(config.logLevel, { secrets: [config.discord.token, config.dashboard.token], write }) };
  } catch (error) {
    if (error instanceof ConfigError) {
      for (const problem of error.problems) process.stderr.write(`config error: ${problem}\n`);
      process.stderr.write('See .env.example for every setting and its default.\n');
      process.exit(EXIT_CONFIG);
    }
    throw error;
  }
}

/** Known failures (bad corpus folder, model mismatch, missing model) print their message, not a stack. */
export function exitOnError(log: Logger) {
  return (error: unknown) => {
    const known =
      error instanceof Error &&
      ['CorpusError', 'IndexError', 'IngestError', 'ModelError', 'DiscordSetupError', 'DashboardError'].includes(error.name);
    if (known) log.error((error as Error).message);
    else log.error('Unexpected failure', error);
    process.exit(1);
  };
}
