/** Log lines go to stderr so stdout stays clean for answers and JSON. */
export type LogLevel = 'silent' | 'error' | 'warn' | 'info' | 'debug';

export interface Logger {
  error(message: string, error?: unknown): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
}

const rank: Record<LogLevel, number> = { silent: 0, error: 1, warn: 2, info: 3, debug: 4 };

/**
 * A leveled logger. Every secret in `secrets` (e.g. the bot token) is replaced by `[redacted]`
 * in every line, stack traces included, so no log line can leak it.
 */
export function createLogger(
  level: LogLevel,
  options: { secrets?: readonly (string | undefined)[]; write?: (line: string) => void } = {},
): Logger {
  const secrets = (options.secrets ?? []).filter((secret): secret is string => !!secret && secret.length >= 8);
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const redact = (text: string) => secrets.reduce((result, secret) => result.split(secret).join('[redacted]'), text);
  const emit = (at: LogLevel, message: string) => {
    if (rank[at] <= rank[level]) write(redact(`${at === 'info' ? '' : `[${at}] `}${message}`));
  };
  return {
    error: (message, error) =>
      emit(
        'error',
        error === undefined ? message : `${message}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      ),
    warn: (message) => emit('warn', message),
    info: (message) => emit('info', message),
    debug: (message) => emit('debug', message),
  };
}

/** A logger that drops everything (tests, library use). */
export const silentLogger: Logger = createLogger('silent');
