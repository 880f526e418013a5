/** Reading a response body with a size cap: at most `maxBytes + 1` bytes are kept, then the download is cancelled. */

/** The body's bytes, or null when it is larger than `maxBytes` (by what arrived; the rest is never read). */
export async function readCappedBody(body: ReadableStream<Uint8Array>, maxBytes: number): Promise<Uint8Array | null> {
  const kept = new Uint8Array(maxBytes + 1);
  let length = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const room = kept.length - length;
    kept.set(value.subarray(0, room), length);
    length += Math.min(value.length, room);
    if (length > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
  }
  return kept.slice(0, length);
}
