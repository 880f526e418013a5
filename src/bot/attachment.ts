import { describeSize } from '../corpus/source-file.js';
import { readCappedBody } from '../sources/capped-body.js';

/**
 * Downloading an attachment from the URL Discord gave in the interaction, with a time limit and a
 * size cap: at most `maxBytes + 1` bytes are kept, then the download is cancelled.
 */

export interface DownloadLimits {
  readonly maxBytes: number;
  readonly timeoutMs: number;
}

export type Download = { readonly ok: true; readonly bytes: Uint8Array } | { readonly ok: false; readonly reason: string };

/** The bytes at `url`, or why not (larger than `maxBytes` by its Content-Length or by what arrived, an HTTP error, a timeout). */
export async function downloadAttachment(url: string, limits: DownloadLimits): Promise<Download> {
  const tooLarge = { ok: false, reason: `The file is larger than ${describeSize(limits.maxBytes)}.` } as const;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, reason: 'Discord gave no valid address for the file.' };
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    return { ok: false, reason: 'Discord gave no web address for the file.' };
  const signal = AbortSignal.timeout(limits.timeoutMs);
  try {
    const response = await fetch(parsed, { signal, redirect: 'follow' });
    if (!response.ok || response.body === null) {
      await response.body?.cancel().catch(() => undefined);
      return { ok: false, reason: `Could not download the file from Discord (HTTP ${response.status}); try again.` };
    }
    const declared = Number(response.headers.get('content-length'));
    if (Number.isFinite(declared) && declared > limits.maxBytes) {
      await response.body.cancel().catch(() => undefined);
      return tooLarge;
    }
    const bytes = await readCappedBody(response.body, limits.maxBytes);
    return bytes === null ? tooLarge : { ok: true, bytes };
  } catch (error) {
    if (signal.aborted)
      return { ok: false, reason: `Downloading the file from Discord took longer than ${limits.timeoutMs / 1000} s; try again.` };
    return { ok: false, reason: `Could not download the file from Discord (${(error as Error).message}); try again.` };
  }
}
