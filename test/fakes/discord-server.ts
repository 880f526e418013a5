/**
 * A fake Discord for end-to-end tests: real HTTP (REST) and WebSocket (gateway) on 127.0.0.1,
 * speaking just enough of API v10 for the real discord.js client. It records every REST request,
 * injects interactions and messages, can close or drop the gateway socket, answer 429 on chosen
 * routes, and lets tests await "the next request matching X".
 * Protocol facts: ../../../shared/notes/discord-offline-testing.md.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export interface RecordedRequest {
  readonly method: string;
  /** Path after `/api/v10`, URL-decoded (`@original` arrives as `%40original`). */
  readonly path: string;
  readonly query: string;
  readonly body: any;
  readonly authorization: string | undefined;
  /** Order of arrival, from 0. */
  readonly index: number;
}

export interface FakeUser {
  readonly id: string;
  readonly username: string;
  readonly discriminator: '0';
  readonly global_name: string | null;
  readonly bot?: boolean;
}

/** An attachment as Discord describes it in `resolved.attachments`; the fake serves its bytes at `url`, as Discord's CDN does. */
export interface FakeAttachment {
  readonly id: string;
  readonly filename: string;
  /** The size declared to the bot (the real size unless a test says otherwise). */
  readonly size: number;
  readonly url: string;
  readonly proxy_url: string;
  readonly content_type?: string;
}

interface ServedAttachment {
  readonly bytes: Buffer;
  /** Sent without Content-Length: the size shows only while reading. */
  readonly chunked: boolean;
  /** Bytes handed to the socket so far (the client stops them by closing the connection). */
  sentBytes: number;
}

/** A handle on one injected interaction. */
export interface InjectedInteraction {
  readonly id: string;
  readonly token: string;
}

/** A server the bot is in; the first is `FakeDiscord.guildId` with its two channels. */
export interface FakeGuild {
  readonly id: string;
  readonly name: string;
  readonly channelId: string;
  readonly otherChannelId: string;
}

/** One gateway session: a shard's connection (the only one, shard 0 of 1, unless the client shards). */
interface GatewaySession {
  socket: WebSocket | undefined;
  sessionId: string;
  sequence: number;
  /** Dispatches of the session, replayed on RESUME. */
  dispatched: { s: number; t: string; d: unknown }[];
  identified: boolean;
}

interface RateLimitRule {
  readonly matches: (method: string, path: string) => boolean;
  remaining: number;
  readonly retryAfterSeconds: number;
}

let snowflakeCounter = 0n;
/** A snowflake-like id (18-19 digits) that increases. */
export function snowflake(): string {
  snowflakeCounter += 1n;
  return ((BigInt(Date.now() - 1420070400000) << 22n) + snowflakeCounter).toString();
}

const ADMIN_PERMISSIONS = '8'; // Administrator
const MEMBER_PERMISSIONS = '3147840'; // view, send, read history, use application commands

export class FakeDiscord {
  readonly requests: RecordedRequest[] = [];
  readonly applicationId = snowflake();
  readonly guildId = snowflake();
  readonly channelId = snowflake();
  readonly otherChannelId = snowflake();
  readonly botUser: FakeUser = { id: snowflake(), username: 'SeedQuotes', discriminator: '0', global_name: null, bot: true };
  /** A regular member (the default interaction user). */
  readonly alice: FakeUser = { id: snowflake(), username: 'alice', discriminator: '0', global_name: 'Alice' };
  readonly bob: FakeUser = { id: snowflake(), username: 'bob', discriminator: '0', global_name: 'Bob' };
  /** How many IDENTIFY and RESUME frames the gateway received. */
  identifies = 0;
  resumes = 0;
  /** The `d` of every IDENTIFY (intents, token, `shard: [id, count]` when sharded) in order. */
  readonly identifyPayloads: any[] = [];
  /** What `GET /gateway/bot` recommends as `shards` (what `DISCORD_SHARDS=auto` starts). */
  recommendedShards = 1;
  /** Every dispatch and the shard it went to (sent, or kept for that shard's resume). */
  readonly deliveries: { readonly t: string; readonly shard: number; readonly id: string | undefined }[] = [];
  /** Like an application whose privileged intents are off in the Developer Portal: IDENTIFY with them is closed with 4014. */
  refusePrivilegedIntents = false;
  /** Like a reset bot token: every REST request is answered 401 Unauthorized. */
  unauthorized = false;
  /** Requests answered with 429 (not in `requests`). */
  readonly rateLimited: { method: string; path: string }[] = [];

  private readonly http: Server;
  private readonly gateway: WebSocketServer;
  /** Gateway sessions by shard id. */
  private readonly sessions = new Map<number, GatewaySession>();
  /** The shard count the client identified with (1 until a sharded IDENTIFY). */
  private shardCount = 1;
  private readonly waiters: { predicate: (request: RecordedRequest) => boolean; resolve: (request: RecordedRequest) => void }[] = [];
  private readonly rateLimits: RateLimitRule[] = [];
  private readonly holds: { matches: (method: string, path: string) => boolean; ms: number; remaining: number }[] = [];
  private readonly readyWaiters: (() => void)[] = [];
  /** Commands last registered, by route. */
  readonly registered = new Map<string, any[]>();
  /** The bytes behind each attachment URL, by path. */
  private readonly attachments = new Map<string, ServedAttachment>();
  /** The servers the bot is in: the first is `guildId`; `addGuild` adds more. */
  readonly guilds: FakeGuild[] = [{ id: this.guildId, name: 'Fake guild', channelId: this.channelId, otherChannelId: this.otherChannelId }];

  private constructor() {
    this.http = createServer((request, response) => void this.onRequest(request, response));
    // Discord keeps an idle connection open far longer than Node's 5 s. With 5 s, on a loaded machine
    // undici reuses a socket the fake is just closing and a reply fails ("other side closed"): a race
    // of the fake, not of Discord. stop() closes every connection, idle or not.
    this.http.keepAliveTimeout = 120_000;
    this.gateway = new WebSocketServer({ noServer: true });
    this.http.on('upgrade', (request, socket, head) => {
      if (!request.url?.startsWith('/gateway')) return socket.destroy();
      this.gateway.handleUpgrade(request, socket, head, (ws) => this.onConnection(ws));
    });
  }

  /** Start on 127.0.0.1 with a free port. */
  static async start(): Promise<FakeDiscord> {
    const fake = new FakeDiscord();
    await new Promise<void>((resolve) => fake.http.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get port(): number {
    return (this.http.address() as AddressInfo).port;
  }

  /** The REST base to configure (`DISCORD_API_URL`); discord.js appends `/v10`. */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api`;
  }

  async stop(): Promise<void> {
    for (const client of this.gateway.clients) client.terminate();
    this.gateway.close();
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  // ---------------------------------------------------------------- REST

  private async onRequest(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(request.url ?? '/', 'http://fake');
    const fullPath = decodeURIComponent(url.pathname);
    const path = fullPath.replace(/^\/api\/v10/, '');
    const method = request.method ?? 'GET';
    let body: any = null;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
      }
    }

    const rule = this.rateLimits.find((candidate) => candidate.remaining > 0 && candidate.matches(method, path));
    if (rule !== undefined) {
      rule.remaining -= 1;
      this.rateLimited.push({ method, path });
      response.writeHead(429, {
        'content-type': 'application/json',
        'retry-after': String(rule.retryAfterSeconds),
        'x-ratelimit-scope': 'user',
      });
      response.end(JSON.stringify({ message: 'You are being rate limited.', retry_after: rule.retryAfterSeconds, global: false }));
      return;
    }

    const recorded: RecordedRequest = {
      method,
      path,
      query: url.search,
      body,
      authorization: request.headers.authorization,
      index: this.requests.length,
    };
    this.requests.push(recorded);
    const hold = this.holds.find((candidate) => candidate.remaining > 0 && candidate.matches(method, path));
    if (hold !== undefined) {
      hold.remaining -= 1;
      for (const waiter of [...this.waiters]) {
        if (waiter.predicate(recorded)) {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          waiter.resolve(recorded);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, hold.ms));
    }
    const reply = (status: number, value?: unknown) => {
      if (value === undefined) {
        response.writeHead(status);
        response.end();
      } else {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(value));
      }
    };

    let match: RegExpMatchArray | null;
    const attachment = method === 'GET' ? this.attachments.get(fullPath) : undefined;
    if (attachment !== undefined) {
      // Like the CDN: the file itself, no authorization needed; written as fast as it is read, so a download cut short shows.
      response.writeHead(200, {
        'content-type': 'application/octet-stream',
        ...(attachment.chunked ? {} : { 'content-length': attachment.bytes.length }),
      });
      const piece = 64 * 1024;
      for (let start = 0; start < attachment.bytes.length && !response.destroyed; start += piece) {
        const more = response.write(attachment.bytes.subarray(start, start + piece));
        attachment.sentBytes = Math.min(attachment.bytes.length, start + piece);
        if (!more) {
          await new Promise<void>((resolve) => {
            const done = () => {
              response.off('drain', done);
              response.off('close', done);
              resolve();
            };
            response.on('drain', done);
            response.on('close', done);
          });
        }
      }
      response.end();
    } else if (this.unauthorized) {
      reply(401, { message: '401: Unauthorized', code: 0 });
    } else if (method === 'GET' && path === '/gateway/bot') {
      reply(200, {
        url: `ws://127.0.0.1:${this.port}/gateway`,
        shards: this.recommendedShards,
        session_start_limit: { total: 1000, remaining: 1000, reset_after: 14_400_000, max_concurrency: 1 },
      });
    } else if (method === 'GET' && path === '/applications/@me') {
      reply(200, {
        id: this.applicationId,
        name: 'SeedQuotes',
        description: '',
        bot_public: true,
        bot_require_code_grant: false,
        flags: 0,
      });
    } else if (method === 'PUT' && (match = path.match(/^\/applications\/(\d+)(?:\/guilds\/(\d+))?\/commands$/))) {
      const commands = (Array.isArray(body) ? body : []).map((command: any) => ({
        ...command,
        id: snowflake(),
        application_id: match?.[1],
        version: snowflake(),
      }));
      this.registered.set(path, commands);
      reply(200, commands);
    } else if (method === 'POST' && /^\/interactions\/\d+\/[^/]+\/callback$/.test(path)) {
      reply(204);
    } else if ((method === 'PATCH' || method === 'GET') && (match = path.match(/^\/webhooks\/\d+\/[^/]+\/messages\/([^/]+)$/))) {
      reply(200, this.message({ channelId: this.channelId, author: this.botUser, ...(body ?? {}) }));
    } else if (method === 'DELETE' && /^\/webhooks\/\d+\/[^/]+\/messages\/[^/]+$/.test(path)) {
      reply(204);
    } else if (method === 'POST' && /^\/webhooks\/\d+\/[^/]+$/.test(path)) {
      reply(200, this.message({ channelId: this.channelId, author: this.botUser, ...(body ?? {}) }));
    } else if (method === 'POST' && (match = path.match(/^\/channels\/(\d+)\/typing$/))) {
      reply(204);
    } else if (method === 'POST' && (match = path.match(/^\/channels\/(\d+)\/messages\/(\d+)\/threads$/))) {
      const threadId = snowflake();
      const thread = {
        id: threadId,
        type: 11,
        guild_id: this.guildId,
        parent_id: match[1],
        name: body?.name ?? 'thread',
        owner_id: this.botUser.id,
        thread_metadata: { archived: false, auto_archive_duration: 1440, archive_timestamp: new Date().toISOString(), locked: false },
        message_count: 0,
        member_count: 1,
      };
      reply(201, thread);
    } else if (method === 'POST' && (match = path.match(/^\/channels\/(\d+)\/messages$/))) {
      reply(200, this.message({ channelId: match[1] ?? this.channelId, author: this.botUser, ...(body ?? {}) }));
    } else {
      reply(404, { message: 'Unknown route in the fake Discord', code: 0 });
    }
    for (const waiter of [...this.waiters]) {
      if (waiter.predicate(recorded)) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(recorded);
      }
    }
  }

  /** A message object as Discord returns it. */
  message(fields: {
    channelId: string;
    author: FakeUser;
    content?: string;
    embeds?: unknown[];
    components?: unknown[];
    id?: string;
    flags?: number;
    mentions?: FakeUser[];
    guildId?: string;
  }) {
    return {
      id: fields.id ?? snowflake(),
      channel_id: fields.channelId,
      guild_id: fields.guildId ?? this.guildOfChannel(fields.channelId)?.id ?? this.guildId,
      author: fields.author,
      content: fields.content ?? '',
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: fields.mentions ?? [],
      mention_roles: [],
      attachments: [],
      embeds: fields.embeds ?? [],
      components: fields.components ?? [],
      pinned: false,
      type: 0,
      flags: fields.flags ?? 0,
    };
  }

  /** Answer the next `count` requests matching with 429 and `Retry-After: seconds`. */
  rateLimit(matches: (method: string, path: string) => boolean, options: { count?: number; retryAfterSeconds?: number } = {}): void {
    this.rateLimits.push({ matches, remaining: options.count ?? 1, retryAfterSeconds: options.retryAfterSeconds ?? 0.05 });
  }

  /** Hold the response to the next `count` matching requests for `ms` (the request is recorded at once): a reply in flight. */
  holdResponses(matches: (method: string, path: string) => boolean, ms: number, count = 1): void {
    this.holds.push({ matches, ms, remaining: count });
  }

  /**
   * The first request (already recorded or still to come) matching the predicate.
   * Rejects after `timeoutMs` with the recent requests listed, to make failures readable.
   */
  waitForRequest(predicate: (request: RecordedRequest) => boolean, timeoutMs = 10_000): Promise<RecordedRequest> {
    const seen = this.requests.find(predicate);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = {
        predicate,
        resolve: (request: RecordedRequest) => {
          clearTimeout(timer);
          resolve(request);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        const recent = this.requests.slice(-8).map((request) => `${request.method} ${request.path}`);
        reject(new Error(`no matching request within ${timeoutMs} ms; last requests:\n  ${recent.join('\n  ')}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Every request that belongs to an interaction (callback, webhook edits and follow-ups). */
  requestsFor(interaction: InjectedInteraction): RecordedRequest[] {
    return this.requests.filter((request) => request.path.includes(`/${interaction.token}`));
  }

  /** The interaction's callback (`POST /interactions/:id/:token/callback`). */
  callback(interaction: InjectedInteraction, timeoutMs?: number): Promise<RecordedRequest> {
    return this.waitForRequest((request) => request.path === `/interactions/${interaction.id}/${interaction.token}/callback`, timeoutMs);
  }

  /**
   * The message the user finally sees: the callback data (type 4 reply, type 7 update), or for a
   * deferred interaction (type 5/6) the later `PATCH …/messages/@original` body.
   */
  async reply(
    interaction: InjectedInteraction,
    timeoutMs?: number,
  ): Promise<{ callbackType: number; deferred: boolean; ephemeral: boolean; data: any }> {
    const callback = await this.callback(interaction, timeoutMs);
    const type = callback.body?.type as number;
    if (type === 5 || type === 6) {
      const edit = await this.waitForRequest(
        (request) => request.method === 'PATCH' && request.path.endsWith(`/${interaction.token}/messages/@original`),
        timeoutMs,
      );
      const flags = (callback.body?.data?.flags ?? 0) as number;
      return { callbackType: type, deferred: true, ephemeral: (flags & 64) === 64, data: edit.body };
    }
    const flags = (callback.body?.data?.flags ?? 0) as number;
    return { callbackType: type, deferred: false, ephemeral: (flags & 64) === 64, data: callback.body?.data };
  }

  // ---------------------------------------------------------------- Gateway

  /**
   * Add a server the bot is in, with its own channel. With `shard` and `shardCount` its id is chosen
   * so that Discord's rule `(guild_id >> 22) % shardCount` puts it on that shard.
   */
  addGuild(options: { name?: string; shard?: number; shardCount?: number } = {}): FakeGuild {
    let id = snowflake();
    if (options.shard !== undefined && options.shardCount !== undefined) {
      const count = BigInt(options.shardCount);
      const shift = (BigInt(options.shard) - ((BigInt(id) >> 22n) % count) + count) % count;
      id = (BigInt(id) + (shift << 22n)).toString();
    }
    const guild = { id, name: options.name ?? `Fake guild ${this.guilds.length + 1}`, channelId: snowflake(), otherChannelId: snowflake() };
    this.guilds.push(guild);
    return guild;
  }

  /** The shard a server's events go to: `(guild_id >> 22) % shards`, as Discord routes them. */
  shardOf(guildId: string, shardCount = this.shardCount): number {
    return Number((BigInt(guildId) >> 22n) % BigInt(shardCount));
  }

  /** The shard the gateway sent an injected interaction or message to. */
  shardThatReceived(event: { id: string }): number | undefined {
    return this.deliveries.find((delivery) => delivery.id === event.id)?.shard;
  }

  private guildOfChannel(channelId: string): FakeGuild | undefined {
    return this.guilds.find((guild) => guild.channelId === channelId || guild.otherChannelId === channelId);
  }

  private session(shard: number): GatewaySession {
    let session = this.sessions.get(shard);
    if (session === undefined) {
      session = { socket: undefined, sessionId: '', sequence: 0, dispatched: [], identified: false };
      this.sessions.set(shard, session);
    }
    return session;
  }

  private onConnection(ws: WebSocket): void {
    ws.send(JSON.stringify({ op: 10, d: { heartbeat_interval: 40_000 } }));
    ws.on('message', (data) => {
      let frame: { op: number; d: any };
      try {
        frame = JSON.parse(String(data));
      } catch {
        return;
      }
      if (frame.op === 1) ws.send(JSON.stringify({ op: 11 }));
      else if (frame.op === 2) {
        this.identifyPayloads.push(frame.d);
        const privileged = (1 << 1) | (1 << 8) | (1 << 15); // GuildMembers, GuildPresences, MessageContent
        if (this.refusePrivilegedIntents && (Number(frame.d?.intents) & privileged) !== 0) ws.close(4014, 'Disallowed intent(s).');
        else this.onIdentify(ws, frame.d);
      } else if (frame.op === 6) this.onResume(ws, frame.d);
    });
    ws.on('close', () => {
      for (const session of this.sessions.values()) {
        if (session.socket === ws) {
          session.socket = undefined;
          session.identified = false;
        }
      }
    });
  }

  private onIdentify(ws: WebSocket, data: { shard?: [number, number] }): void {
    const [shard, shardCount] = Array.isArray(data?.shard) ? data.shard : [0, 1];
    this.shardCount = shardCount;
    this.identifies += 1;
    const session = this.session(shard);
    session.socket = ws;
    session.sessionId = randomBytes(8).toString('hex');
    session.sequence = 0;
    session.dispatched = [];
    session.identified = true;
    const guilds = this.guilds.filter((guild) => this.shardOf(guild.id, shardCount) === shard);
    this.dispatch(
      'READY',
      {
        v: 10,
        user: this.botUser,
        guilds: guilds.map((guild) => ({ id: guild.id, unavailable: true })),
        session_id: session.sessionId,
        resume_gateway_url: `ws://127.0.0.1:${this.port}/gateway`,
        application: { id: this.applicationId, flags: 0 },
        private_channels: [],
        ...(Array.isArray(data?.shard) ? { shard: data.shard } : {}),
      },
      shard,
    );
    for (const guild of guilds) this.dispatch('GUILD_CREATE', this.guildCreate(guild), shard);
    for (const resolve of this.readyWaiters.splice(0)) resolve();
  }

  private guildCreate(guild: FakeGuild) {
    return {
      id: guild.id,
      name: guild.name,
      owner_id: this.alice.id,
      unavailable: false,
      member_count: 3,
      roles: [
        {
          id: guild.id,
          name: '@everyone',
          permissions: MEMBER_PERMISSIONS,
          position: 0,
          color: 0,
          hoist: false,
          managed: false,
          mentionable: false,
          flags: 0,
        },
      ],
      channels: [
        { id: guild.channelId, type: 0, name: 'general', position: 0, permission_overwrites: [] },
        { id: guild.otherChannelId, type: 0, name: 'off-topic', position: 1, permission_overwrites: [] },
      ],
      threads: [],
      members: [],
      emojis: [],
      stickers: [],
      features: [],
      joined_at: new Date().toISOString(),
    };
  }

  private onResume(ws: WebSocket, data: { session_id: string; seq: number }): void {
    this.resumes += 1;
    const session = [...this.sessions.values()].find((candidate) => candidate.sessionId === data.session_id);
    if (session === undefined) {
      ws.send(JSON.stringify({ op: 9, d: false }));
      return;
    }
    session.socket = ws;
    session.identified = true;
    for (const event of session.dispatched.filter((stored) => stored.s > data.seq)) {
      ws.send(JSON.stringify({ op: 0, t: event.t, s: event.s, d: event.d }));
    }
    session.sequence += 1;
    ws.send(JSON.stringify({ op: 0, t: 'RESUMED', s: session.sequence, d: null }));
    for (const resolve of this.readyWaiters.splice(0)) resolve();
  }

  /**
   * Send a dispatch now, or store it for replay when the socket is down (the resume then delivers it).
   * It goes to the shard that owns its server (`guild_id`), else to `shard` (default 0).
   */
  dispatch(t: string, d: unknown, shard?: number): void {
    const guildId = (d as { guild_id?: unknown } | null)?.guild_id;
    const target = shard ?? (typeof guildId === 'string' ? this.shardOf(guildId) : 0);
    const session = this.session(target);
    session.sequence += 1;
    const event = { s: session.sequence, t, d };
    session.dispatched.push(event);
    if (session.dispatched.length > 2000) session.dispatched.shift();
    const id = (d as { id?: unknown } | null)?.id;
    this.deliveries.push({ t, shard: target, id: typeof id === 'string' ? id : undefined });
    if (session.socket !== undefined && session.identified && session.socket.readyState === session.socket.OPEN) {
      session.socket.send(JSON.stringify({ op: 0, t, s: event.s, d }));
    }
  }

  /** Resolves when a client has (re)identified or resumed after now. */
  nextSessionReady(): Promise<void> {
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  /** Whether shard 0's client (the only one, unsharded) is connected and identified or resumed. */
  get connected(): boolean {
    return this.connectedShards().includes(0);
  }

  /** The shards whose sessions are connected and identified or resumed. */
  connectedShards(): number[] {
    return [...this.sessions]
      .filter(([, session]) => session.socket !== undefined && session.identified)
      .map(([shard]) => shard)
      .sort((a, b) => a - b);
  }

  /** Close a shard's gateway socket with a close code (4000 → the client resumes; 1000 → it identifies again). */
  closeSocket(code: number, shard = 0): void {
    const session = this.session(shard);
    session.identified = false;
    session.socket?.close(code, 'closed by the fake');
  }

  /** Drop a shard's TCP connection without a close frame. */
  dropConnection(shard = 0): void {
    const session = this.session(shard);
    session.identified = false;
    session.socket?.terminate();
  }

  // ---------------------------------------------------------------- Injection

  private member(user: FakeUser, permissions: string) {
    return { user, roles: [], joined_at: new Date().toISOString(), permissions, deaf: false, mute: false, flags: 0, nick: null };
  }

  private interaction(
    type: number,
    data: unknown,
    options: { user?: FakeUser; channelId?: string; guildId?: string; admin?: boolean; message?: unknown },
  ): InjectedInteraction {
    const id = snowflake();
    const token = `itoken-${randomBytes(12).toString('hex')}`;
    const user = options.user ?? this.alice;
    const guild = this.guilds.find((candidate) => candidate.id === options.guildId) ?? this.guilds[0];
    const guildId = guild?.id ?? this.guildId;
    const channelId = options.channelId ?? guild?.channelId ?? this.channelId;
    this.dispatch('INTERACTION_CREATE', {
      id,
      application_id: this.applicationId,
      type,
      token,
      version: 1,
      guild_id: guildId,
      channel_id: channelId,
      channel: { id: channelId, type: 0, guild_id: guildId, name: 'general' },
      member: this.member(user, options.admin ? ADMIN_PERMISSIONS : MEMBER_PERMISSIONS),
      app_permissions: '2251799813685247',
      locale: 'en-US',
      guild_locale: 'en-US',
      entitlements: [],
      authorizing_integration_owners: { '0': guildId },
      context: 0,
      data,
      ...(options.message === undefined ? {} : { message: options.message }),
    });
    return { id, token };
  }

  /**
   * A slash command, e.g. `slashCommand('ask', { question: 'Why?', target: fake.bob })`. Strings, numbers and booleans map
   * to option types 3/4/5; a user to type 6, its id the value and the user (and member) in `resolved`, as Discord sends it;
   * an {@link FakeDiscord.attachment} to type 11, its id the value and the attachment in `resolved.attachments`.
   * With `subcommand`, the options are that subcommand's (`/scope set collections:…`).
   */
  slashCommand(
    name: string,
    options: Record<string, string | number | boolean | FakeUser | FakeAttachment> = {},
    extra: { user?: FakeUser; channelId?: string; guildId?: string; admin?: boolean; subcommand?: string } = {},
  ): InjectedInteraction {
    const values = Object.values(options);
    const users = values.filter((value): value is FakeUser => typeof value === 'object' && 'username' in value);
    const attachments = values.filter((value): value is FakeAttachment => typeof value === 'object' && 'filename' in value);
    const typeOf = (value: string | number | boolean | FakeUser | FakeAttachment) =>
      typeof value === 'object' ? ('filename' in value ? 11 : 6) : typeof value === 'string' ? 3 : typeof value === 'boolean' ? 5 : 4;
    const commandOptions = Object.entries(options).map(([optionName, value]) => ({
      name: optionName,
      type: typeOf(value),
      value: typeof value === 'object' ? value.id : value,
    }));
    const resolved =
      users.length === 0 && attachments.length === 0
        ? {}
        : {
            resolved: {
              ...(users.length === 0
                ? {}
                : {
                    users: Object.fromEntries(users.map((user) => [user.id, user])),
                    members: Object.fromEntries(users.map((user) => [user.id, this.resolvedMember()])),
                  }),
              ...(attachments.length === 0 ? {} : { attachments: Object.fromEntries(attachments.map((file) => [file.id, file])) }),
            },
          };
    const { subcommand, ...where } = extra;
    const topOptions = subcommand === undefined ? commandOptions : [{ name: subcommand, type: 1, options: commandOptions }];
    return this.interaction(
      2,
      { id: this.commandId(name), name, type: 1, guild_id: extra.guildId ?? this.guildId, options: topOptions, ...resolved },
      where,
    );
  }

  /**
   * A file someone attached to a command, served at its URL on 127.0.0.1. `size` is what Discord
   * declares (the real size by default), `contentType` what it guessed (none when null); `chunked`
   * sends it without Content-Length.
   */
  attachment(
    filename: string,
    content: string | Uint8Array,
    options: { size?: number; contentType?: string | null; chunked?: boolean } = {},
  ): FakeAttachment {
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content);
    const id = snowflake();
    const urlPath = `/attachments/${this.channelId}/${id}/${encodeURIComponent(filename)}`;
    this.attachments.set(decodeURIComponent(urlPath), { bytes, chunked: options.chunked ?? false, sentBytes: 0 });
    const url = `http://127.0.0.1:${this.port}${urlPath}`;
    const contentType = options.contentType === undefined ? 'text/plain; charset=utf-8' : options.contentType;
    return {
      id,
      filename,
      size: options.size ?? bytes.length,
      url,
      proxy_url: url,
      ...(contentType === null ? {} : { content_type: contentType }),
    };
  }

  /** How many of an attachment's bytes the fake sent before the download ended (all of them, unless the bot cut it short). */
  sentBytes(attachment: FakeAttachment): number {
    const path = decodeURIComponent(new URL(attachment.url).pathname);
    return this.attachments.get(path)?.sentBytes ?? 0;
  }

  /** Whether the bot downloaded an attachment. */
  downloaded(attachment: FakeAttachment): boolean {
    return this.requests.some(
      (request) => request.method === 'GET' && request.path.startsWith(`/attachments/${this.channelId}/${attachment.id}/`),
    );
  }

  /** A member as `resolved.members` carries it (without its user, which is in `resolved.users`). */
  private resolvedMember() {
    return { roles: [], joined_at: new Date().toISOString(), permissions: MEMBER_PERMISSIONS, nick: null, flags: 0 };
  }

  /** An autocomplete request for a string option that is being typed (of a subcommand, when given). */
  autocomplete(
    name: string,
    option: string,
    typed: string,
    extra: { user?: FakeUser; channelId?: string; subcommand?: string } = {},
  ): InjectedInteraction {
    const { subcommand, ...where } = extra;
    const focused = [{ name: option, type: 3, value: typed, focused: true }];
    const options = subcommand === undefined ? focused : [{ name: subcommand, type: 1, options: focused }];
    return this.interaction(4, { id: this.commandId(name), name, type: 1, options }, where);
  }

  /** A button press on a message the bot sent (`message` is what the bot's reply looked like), in `guildId`'s channel. */
  pressButton(
    customId: string,
    extra: { user?: FakeUser; guildId?: string; message?: { embeds?: unknown[]; components?: unknown[]; flags?: number } } = {},
  ): InjectedInteraction {
    const guild = this.guilds.find((candidate) => candidate.id === extra.guildId) ?? this.guilds[0];
    const message = this.message({
      channelId: guild?.channelId ?? this.channelId,
      author: this.botUser,
      embeds: extra.message?.embeds ?? [],
      components: extra.message?.components ?? [],
      flags: extra.message?.flags ?? 0,
    });
    return this.interaction(3, { custom_id: customId, component_type: 2 }, { ...extra, message });
  }

  /** A choice in a string select menu the bot sent (`values`: the chosen options' values), by a manager when `admin`. */
  chooseOption(customId: string, values: string[], extra: { user?: FakeUser; admin?: boolean } = {}): InjectedInteraction {
    const message = this.message({ channelId: this.channelId, author: this.botUser, flags: 64 });
    return this.interaction(3, { custom_id: customId, component_type: 3, values }, { ...extra, message });
  }

  /** The message context menu "Find sources" (or another message command) on a message with this content. */
  messageCommand(
    name: string,
    content: string,
    extra: { user?: FakeUser; author?: FakeUser; admin?: boolean; embeds?: unknown[] } = {},
  ): InjectedInteraction {
    const target = this.message({
      channelId: this.channelId,
      author: extra.author ?? this.bob,
      content,
      ...(extra.embeds ? { embeds: extra.embeds } : {}),
    });
    return this.interaction(
      2,
      { id: this.commandId(name), name, type: 3, target_id: target.id, resolved: { messages: { [target.id]: target } } },
      extra,
    );
  }

  /** A user's message in a channel; `mentionBot` puts `<@bot>` in front and the bot in `mentions`. */
  userMessage(
    content: string,
    options: { author?: FakeUser; channelId?: string; mentionBot?: boolean } = {},
  ): { id: string; channelId: string } {
    const author = options.author ?? this.alice;
    const mention = options.mentionBot ?? true;
    const id = snowflake();
    const channelId = options.channelId ?? this.channelId;
    this.dispatch('MESSAGE_CREATE', {
      ...this.message({
        id,
        channelId,
        author,
        content: mention ? `<@${this.botUser.id}> ${content}` : content,
        mentions: mention ? [this.botUser] : [],
      }),
      member: { roles: [], joined_at: new Date().toISOString(), deaf: false, mute: false, flags: 0 },
    });
    return { id, channelId };
  }

  private readonly commandIds = new Map<string, string>();
  private commandId(name: string): string {
    let id = this.commandIds.get(name);
    if (id === undefined) {
      id = snowflake();
      this.commandIds.set(name, id);
    }
    return id;
  }
}
