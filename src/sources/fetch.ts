/**
 * Fetching a source from the web with the safety rules: http(s) only, no credentials in the URL,
 * the host resolved first and every address checked ({@link addressRefusal}), redirects followed by
 * hand (each hop checked the same way, at most `maxRedirects`), one time limit for the whole
 * fetch, the body read up to `maxBytes` and no further, and only the content types asked for.
 *
 * The connection is pinned to the addresses that were checked: an undici Agent whose `lookup`
 * answers with them, so a DNS answer that changes between the check and the connect (rebinding)
 * cannot send the request elsewhere. Nothing but the URL, a User-Agent, Accept and the caller's
 * conditional headers is sent: no cookies, no tokens, no Authorization.
 */
import { lookup } from 'node:dns/promises';
import type { LookupFunction } from 'node:net';
import { Agent } from 'undici';
import { addressRefusal, isAddressLiteral } from './address-rules.js';
import { readCappedBody } from './capped-body.js';

/** Sent as User-Agent: says what fetched the page, and nothing about who asked. */
export const USER_AGENT = 'seed-quotes-bot/0.1 (a Discord bot quoting documents; fetches only pages it was asked to add)';

export interface ResolvedAddress {
  readonly address: string;
  readonly family: 4 | 6;
}

export interface FetchPolicy {
  /** Skip the address rules (loopback test servers). The address is still pinned. */
  readonly allowPrivate: boolean;
  readonly timeoutMs: number;
  readonly maxBytes: number;
  readonly maxRedirects: number;
  /** Content types (without parameters) accepted; another is refused, naming it. */
  readonly accept: ReadonlySet<string>;
  /** Addresses the rules let through although they are private: a test server standing in for a public host. */
  readonly trustedAddresses?: ReadonlySet<string>;
  /** Name → every address it has; default: the system resolver (`dns.lookup`, all addresses). */
  readonly resolve?: (host: string) => Promise<readonly ResolvedAddress[]>;
}

/** A policy from the settings, for things of at most `maxBytes` of the `accept`ed types. */
export function policyFor(
  settings: { allowPrivate: boolean; fetchTimeoutMs: number },
  limits: { maxBytes: number; accept: ReadonlySet<string> },
): FetchPolicy {
  return { allowPrivate: settings.allowPrivate, timeoutMs: settings.fetchTimeoutMs, maxRedirects: MAX_REDIRECTS, ...limits };
}

/** What a feed poll sends back from its last good fetch. */
export interface Conditional {
  readonly etag?: string | null;
  readonly lastModified?: string | null;
}

export type FetchResult =
  | {
      readonly kind: 'fetched';
      /** The URL after redirects. */
      readonly url: string;
      readonly contentType: string;
      readonly bytes: Uint8Array;
      readonly etag: string | null;
      readonly lastModified: string | null;
      readonly fetchedAt: string;
    }
  | { readonly kind: 'not-modified'; readonly url: string }
  | { readonly kind: 'refused'; readonly reason: string };

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Redirects followed, at most. */
export const MAX_REDIRECTS = 5;

async function systemResolve(host: string): Promise<readonly ResolvedAddress[]> {
  const found = await lookup(host, { all: true, verbatim: true });
  return found.map((entry) => ({ address: entry.address, family: entry.family === 6 ? 6 : 4 }));
}

/** The addresses a URL's host may be reached at, or the rule that refuses it. */
export async function checkedAddresses(
  url: URL,
  policy: FetchPolicy,
): Promise<{ addresses: readonly ResolvedAddress[] } | { reason: string }> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return { reason: `only http and https addresses can be fetched, not ${url.protocol}` };
  if (url.username !== '' || url.password !== '')
    return { reason: 'the address has a user name or password in it: nothing secret is sent to a fetched host' };
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: readonly ResolvedAddress[];
  if (isAddressLiteral(host)) addresses = [{ address: host, family: host.includes(':') ? 6 : 4 }];
  else {
    try {
      addresses = await (policy.resolve ?? systemResolve)(host);
    } catch (error) {
      return { reason: `the host ${host} could not be resolved (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` };
    }
    if (addresses.length === 0) return { reason: `the host ${host} has no address` };
  }
  if (policy.allowPrivate) return { addresses };
  for (const { address } of addresses) {
    if (policy.trustedAddresses?.has(address)) continue;
    const refusal = addressRefusal(address);
    if (refusal !== null) return { reason: `${host}${host === address ? '' : ` (${address})`} is ${refusal}: fetching from it is refused` };
  }
  return { addresses };
}

/** An Agent that connects only to `addresses`, whatever the resolver would say now. */
function pinnedAgent(addresses: readonly ResolvedAddress[]): Agent {
  const pinned: LookupFunction = (_host, options, callback) => {
    const family = typeof options === 'object' ? options.family : undefined;
    const wanted = addresses.filter((entry) => (family !== 4 && family !== 6 ? true : entry.family === family));
    const list = wanted.length > 0 ? wanted : addresses;
    const [first] = list;
    if (first === undefined) return callback(new Error('no address'), '', 4);
    if (typeof options === 'object' && options.all) return (callback as (...values: unknown[]) => void)(null, list);
    callback(null, first.address, first.family);
  };
  return new Agent({ connect: { lookup: pinned } });
}

/**
 * Fetch `address` under `policy`: the bytes and what the server said about them, a 304 (when
 * `conditional` was given), or why not. Never throws for anything the network or server does.
 */
export async function fetchSource(address: string, policy: FetchPolicy, conditional: Conditional = {}): Promise<FetchResult> {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    return { kind: 'refused', reason: 'that is not a web address (it should start with https://)' };
  }
  const signal = AbortSignal.timeout(policy.timeoutMs);
  try {
    for (let hop = 0; hop <= policy.maxRedirects; hop++) {
      const checked = await checkedAddresses(url, policy);
      if ('reason' in checked)
        return { kind: 'refused', reason: hop === 0 ? checked.reason : `it redirects to ${url.href}, and ${checked.reason}` };
      const response = await request(url, checked.addresses, signal, hop === 0 ? conditional : {}, policy);
      if (REDIRECTS.has(response.status)) {
        const location = response.headers.get('location');
        await response.body?.cancel().catch(() => undefined);
        if (location === null) return { kind: 'refused', reason: `the server answered HTTP ${response.status} without saying where to` };
        url = new URL(location, url);
        continue;
      }
      return await received(url, response, policy);
    }
    return { kind: 'refused', reason: `more than ${policy.maxRedirects} redirects` };
  } catch (error) {
    if (signal.aborted) return { kind: 'refused', reason: `no complete answer within ${policy.timeoutMs / 1000} s (timed out)` };
    const cause = (error as Error & { cause?: Error }).cause;
    return { kind: 'refused', reason: `the fetch failed (${cause?.message ?? (error as Error).message})` };
  }
}

async function request(
  url: URL,
  addresses: readonly ResolvedAddress[],
  signal: AbortSignal,
  conditional: Conditional,
  policy: FetchPolicy,
): Promise<Response> {
  const headers: Record<string, string> = { 'user-agent': USER_AGENT, accept: [...policy.accept, '*/*;q=0.1'].join(', ') };
  if (conditional.etag) headers['if-none-match'] = conditional.etag;
  if (conditional.lastModified) headers['if-modified-since'] = conditional.lastModified;
  const dispatcher = pinnedAgent(addresses);
  try {
    // `dispatcher` is undici's extension of RequestInit; Node's global fetch honours it.
    const init = { headers, redirect: 'manual', signal, credentials: 'omit', dispatcher } as RequestInit;
    const response = await fetch(url, init);
    // A graceful close: the body still arrives, then the connection ends (it is never reused for another host).
    void dispatcher.close().catch(() => undefined);
    return response;
  } catch (error) {
    await dispatcher.destroy().catch(() => undefined);
    throw error;
  }
}

/** A final (non-redirect) response: its status, type and size checked, its body read. */
async function received(url: URL, response: Response, policy: FetchPolicy): Promise<FetchResult> {
  const cancel = () => response.body?.cancel().catch(() => undefined);
  if (response.status === 304) {
    await cancel();
    return { kind: 'not-modified', url: url.href };
  }
  if (!response.ok || response.body === null) {
    await cancel();
    return {
      kind: 'refused',
      reason: `the server answered HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`,
    };
  }
  const contentType = (response.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (!policy.accept.has(contentType)) {
    await cancel();
    const said = contentType === '' ? 'no content type' : contentType;
    return { kind: 'refused', reason: `it is ${said}, not ${describeTypes(policy.accept)}` };
  }
  const tooLarge = { kind: 'refused', reason: `it is larger than ${policy.maxBytes / (1024 * 1024)} MB` } as const;
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > policy.maxBytes) {
    await cancel();
    return tooLarge;
  }
  const bytes = await readCappedBody(response.body, policy.maxBytes);
  if (bytes === null) return tooLarge;
  return {
    kind: 'fetched',
    url: url.href,
    contentType,
    bytes,
    etag: response.headers.get('etag'),
    lastModified: response.headers.get('last-modified'),
    fetchedAt: new Date().toISOString(),
  };
}

function describeTypes(types: ReadonlySet<string>): string {
  const list = [...types];
  return list.length <= 1 ? (list[0] ?? 'an accepted type') : `${list.slice(0, -1).join(', ')} or ${list.at(-1)}`;
}
