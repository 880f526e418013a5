/** Downloading an attachment: against a real HTTP server on 127.0.0.1 that answers slowly, wrongly or not at all. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadAttachment } from '../../src/bot/attachment.js';

let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.url === '/ok.txt') response.end('hello');
    else if (request.url === '/redirect.txt') response.writeHead(302, { location: '/ok.txt' }).end();
    else if (request.url === '/silent.txt')
      response.writeHead(200, { 'content-type': 'text/plain' }).write('part'); // never ends
    else response.writeHead(403).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const limits = { maxBytes: 1024, timeoutMs: 5_000 };

describe('downloadAttachment', () => {
  it('returns the bytes, following a redirect', async () => {
    for (const file of ['ok.txt', 'redirect.txt']) {
      const download = await downloadAttachment(`${base}/${file}`, limits);
      expect(download.ok && Buffer.from(download.bytes).toString('utf8')).toBe('hello');
    }
  });

  it('says why not: an HTTP error, a download that does not finish in time, an address that is not a web one', async () => {
    expect(await downloadAttachment(`${base}/private.txt`, limits)).toEqual({
      ok: false,
      reason: 'Could not download the file from Discord (HTTP 403); try again.',
    });
    expect(await downloadAttachment(`${base}/silent.txt`, { ...limits, timeoutMs: 300 })).toEqual({
      ok: false,
      reason: 'Downloading the file from Discord took longer than 0.3 s; try again.',
    });
    expect(await downloadAttachment('file:///etc/passwd', limits)).toEqual({
      ok: false,
      reason: 'Discord gave no web address for the file.',
    });
    expect(await downloadAttachment('not a url', limits)).toEqual({ ok: false, reason: 'Discord gave no valid address for the file.' });
  });
});
