/** Progress of a long ingest stage, shown on stderr: a redrawn bar on a terminal, periodic lines otherwise. */
export interface Progress {
  /** `done` of the stage's total so far. */
  update(done: number): void;
  finish(): void;
}

export interface ProgressOptions {
  readonly stream?: NodeJS.WriteStream | { write(text: string): unknown; isTTY?: boolean };
  /** Stages smaller than this stay silent (a seed-sized ingest needs no bar). */
  readonly minimumTotal?: number;
  /** Seconds between lines when the stream is not a terminal. */
  readonly lineEverySeconds?: number;
  readonly now?: () => number;
}

export const SILENT_PROGRESS: Progress = { update: () => {}, finish: () => {} };

function clock(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--';
  const whole = Math.max(0, Math.round(seconds));
  const hours = Math.floor(whole / 3600);
  const minutes = String(Math.floor((whole % 3600) / 60)).padStart(2, '0');
  const rest = String(whole % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${minutes}:${rest}` : `${minutes}:${rest}`;
}

/** A progress bar with rate and ETA, e.g. `embedding [######------] 52% 41,000/79,000 chunks 3,210/s ETA 00:12`. */
export function createProgress(label: string, total: number, unit: string, options: ProgressOptions = {}): Progress {
  const stream = options.stream ?? process.stderr;
  if (total < (options.minimumTotal ?? 2000)) return SILENT_PROGRESS;
  const now = options.now ?? (() => performance.now());
  const started = now();
  const terminal = Boolean(stream.isTTY);
  const interval = terminal ? 100 : (options.lineEverySeconds ?? 5) * 1000;
  let shown = -Infinity;
  let last = 0;
  const render = (done: number) => {
    const elapsed = (now() - started) / 1000;
    const rate = elapsed > 0 ? done / elapsed : 0;
    const share = total > 0 ? done / total : 1;
    const width = 24;
    const filled = Math.round(share * width);
    const bar = `${'#'.repeat(filled)}${'-'.repeat(width - filled)}`;
    const eta = rate > 0 ? (total - done) / rate : Infinity;
    return `${label} [${bar}] ${Math.floor(share * 100)}% ${done.toLocaleString('en')}/${total.toLocaleString('en')} ${unit} ${Math.round(rate).toLocaleString('en')}/s ETA ${clock(eta)}`;
  };
  return {
    update(done) {
      last = done;
      const at = now();
      if (at - shown < interval) return;
      shown = at;
      stream.write(terminal ? `\r${render(done)}\u001b[K` : `${render(done)}\n`);
    },
    finish() {
      const elapsed = (now() - started) / 1000;
      const line = `${label}: ${last.toLocaleString('en')} ${unit} in ${clock(elapsed)}`;
      stream.write(terminal ? `\r${line}\u001b[K\n` : `${line}\n`);
    },
  };
}
