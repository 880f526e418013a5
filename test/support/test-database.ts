import { PGlite } from '@electric-sql/pglite';
import { pg_textsearch } from '@electric-sql/pglite-pg_textsearch';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { pathToFileURL } from 'node:url';

/**
 * A PostgreSQL-compatible server from npm packages alone, for tests: PGlite (PostgreSQL 18 in WASM,
 * in memory, so nothing is left behind) with pgvector and pg_textsearch, served over the wire
 * protocol on 127.0.0.1 at a free port, where the ordinary `pg` client connects.
 *
 * PGlite is one backend session shared by every connection: the socket server runs one
 * connection's transaction at a time (others wait: a writer's transaction is serialised as
 * PostgreSQL's locks would), but session state is shared, so (1) each test file starts its own
 * server rather than sharing one, and (2) a NOTIFY reaches only the connection that sent it. The
 * relay below forwards each NotificationResponse to the connections that ran LISTEN on its channel,
 * as a PostgreSQL server delivers it. Advisory locks are granted to every connection (one session).
 */
export interface TestDatabase {
  readonly url: string;
  stop(): Promise<void>;
}

interface SocketHandler {
  readonly handlerId: number;
  readonly socket: Socket | null;
}

interface QueuedMessage {
  readonly handlerId: number;
  readonly message: Uint8Array;
  readonly onData: (data: Uint8Array) => void;
}

/**
 * With `TEST_POSTGRES_URL` (a real server's admin URL, e.g. from scripts/real-postgres.sh, as
 * `npm run test:postgres` sets it) each call creates a fresh database there from template1 (which
 * has the extensions) and drops it on stop; otherwise a PGlite server in memory.
 */
export async function startTestDatabase(): Promise<TestDatabase> {
  const server = process.env.TEST_POSTGRES_URL;
  return server ? freshDatabaseOn(server) : startPglite();
}

/** Whether the tests run against a real PostgreSQL server (one session per connection, advisory locks that block). */
export const onRealServer = Boolean(process.env.TEST_POSTGRES_URL);

async function freshDatabaseOn(serverUrl: string): Promise<TestDatabase> {
  const name = `test_${randomUUID().replaceAll('-', '')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE template1`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async stop() {
      const dropper = new pg.Client({ connectionString: serverUrl });
      await dropper.connect();
      try {
        await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await dropper.end();
      }
    },
  };
}

async function startPglite(): Promise<TestDatabase> {
  const db = await PGlite.create({ extensions: { vector, pg_textsearch } });
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 32 });
  relayNotifications(server);
  await server.start();
  return {
    url: `postgres://postgres:postgres@${server.getServerConn()}/postgres`,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}

/** Forward NOTIFY to LISTENing connections (see above): watches each query's text and each reply's messages. */
function relayNotifications(server: PGLiteSocketServer): void {
  const internals = server as unknown as {
    handlers: Set<SocketHandler>;
    queryQueue: { enqueue(handlerId: number, message: Uint8Array, onData: QueuedMessage['onData']): Promise<number> };
  };
  const listening = new Map<number, Set<string>>();
  const queue = internals.queryQueue;
  const enqueue = queue.enqueue.bind(queue);
  queue.enqueue = (handlerId, message, onData) => {
    trackListen(listening, handlerId, message);
    return enqueue(handlerId, message, (data) => {
      onData(data);
      for (const [channel, notification] of notificationsIn(data)) {
        for (const handler of internals.handlers) {
          if (handler.handlerId === handlerId || !listening.get(handler.handlerId)?.has(channel)) continue;
          if (handler.socket?.writable) handler.socket.write(notification);
        }
      }
    });
  };
}

/** A simple query ('Q') or a Parse ('P') that runs LISTEN / UNLISTEN. */
function trackListen(listening: Map<number, Set<string>>, handlerId: number, message: Uint8Array): void {
  const type = String.fromCharCode(message[0] ?? 0);
  if (type !== 'Q' && type !== 'P') return;
  const text = Buffer.from(message).toString('utf8');
  const channels = listening.get(handlerId) ?? new Set<string>();
  for (const match of text.matchAll(/\b(UN)?LISTEN\s+"?([A-Za-z_][A-Za-z0-9_]*)"?/gi)) {
    const channel = (match[2] as string).toLowerCase();
    if (match[1]) channels.delete(channel);
    else channels.add(channel);
  }
  listening.set(handlerId, channels);
}

/** The NotificationResponse messages ('A': pid, channel, payload) in a block of backend messages. */
function* notificationsIn(data: Uint8Array): Generator<[string, Buffer]> {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  for (let at = 0; at + 5 <= bytes.length; ) {
    const length = bytes.readInt32BE(at + 1);
    if (bytes[at] === 0x41 && at + 1 + length <= bytes.length) {
      const end = bytes.indexOf(0, at + 9);
      yield [bytes.toString('utf8', at + 9, end), Buffer.from(bytes.subarray(at, at + 1 + length))];
    }
    at += 1 + length;
  }
}

// `node --import tsx test/support/test-database.ts`: a server for trying the postgres store by hand (eval, ask).
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const database = await startTestDatabase();
  console.log(`DATABASE_URL=${database.url}`);
  const stop = () => void database.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
