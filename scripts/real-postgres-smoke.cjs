/**
 * By-hand smoke check of a PostgreSQL server for the postgres store, through the ordinary `pg` client
 * (wire compatibility): pgvector with an HNSW index, PostgreSQL's full-text search, the BM25 index of
 * pg_textsearch when the server has it, and LISTEN/NOTIFY. Exits 1 on the first wrong answer.
 *
 *   export "$(scripts/real-postgres.sh)"
 *   NODE_PATH=/tmp/pgsmoke/node_modules node scripts/real-postgres-smoke.cjs   # `pg` from a scratch folder
 *
 * CommonJS so that NODE_PATH can supply `pg` while the project does not depend on it.
 */
const assert = require('node:assert/strict');
const { Client } = require('pg');

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  console.error('Set DATABASE_URL (scripts/real-postgres.sh start prints it).');
  process.exit(2);
}

const rows = [
  { id: 1, body: 'Beijing faces 145% US duties on its exports', embedding: '[1,0,0]' },
  { id: 2, body: 'Vietnam is negotiating a reduction of threatened US tariffs', embedding: '[0,1,0]' },
  { id: 3, body: 'The railway link will carry freight across the border', embedding: '[0.9,0.1,0]' },
];

async function main() {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  const schema = `smoke_${process.pid}`;
  try {
    const { rows: versionRows } = await client.query('SELECT version() AS version');
    console.log(versionRows[0].version);
    await client.query('CREATE EXTENSION IF NOT EXISTS vector');
    await client.query(`CREATE SCHEMA ${schema}`);
    await client.query(`SET search_path TO ${schema}, public`);
    await client.query('CREATE TABLE t (id int PRIMARY KEY, body text NOT NULL, e vector(3) NOT NULL)');
    await client.query('CREATE INDEX t_e_hnsw ON t USING hnsw (e vector_cosine_ops)');
    for (const row of rows) {
      await client.query('INSERT INTO t (id, body, e) VALUES ($1, $2, $3)', [row.id, row.body, row.embedding]);
    }

    // Vector: the two nearest by cosine distance, through the HNSW index (sequential scans off, so the plan shows it).
    await client.query('SET enable_seqscan = off');
    const nearestSql = 'SELECT id, e <=> $1 AS distance FROM t ORDER BY e <=> $1 LIMIT 2';
    const plan = await client.query(`EXPLAIN ${nearestSql}`, ['[1,0.05,0]']);
    const planText = plan.rows.map((row) => row['QUERY PLAN']).join('\n');
    assert.match(planText, /Index Scan using t_e_hnsw/, `the HNSW index is not used:\n${planText}`);
    const nearest = await client.query(nearestSql, ['[1,0.05,0]']);
    assert.deepEqual(
      nearest.rows.map((row) => row.id),
      [1, 3],
    );
    console.log('vector: nearest ids', nearest.rows.map((row) => `${row.id} (${Number(row.distance).toFixed(4)})`).join(', '));
    await client.query('RESET enable_seqscan');

    // PostgreSQL's own full-text search: the fallback when no BM25 extension is installed.
    const fullText = await client.query(
      `SELECT id, ts_rank(to_tsvector('english', body), query) AS rank
         FROM t, plainto_tsquery('english', $1) AS query
        WHERE to_tsvector('english', body) @@ query ORDER BY rank DESC, id`,
      ['tariffs'],
    );
    assert.deepEqual(
      fullText.rows.map((row) => row.id),
      [2],
    );
    console.log('full-text (tsvector): ids', fullText.rows.map((row) => row.id).join(', '));

    // BM25 with pg_textsearch, where the server has it (scripts/real-postgres.sh preloads and creates it).
    const bm25 = await client.query("SELECT 1 FROM pg_extension WHERE extname = 'pg_textsearch'");
    if (bm25.rowCount === 1) {
      await client.query("CREATE INDEX t_body_bm25 ON t USING bm25 (body) WITH (text_config = 'english')");
      const ranked = await client.query(
        `SELECT id, body <@> to_bm25query($1, '${schema}.t_body_bm25') AS score FROM t
          ORDER BY body <@> to_bm25query($1, '${schema}.t_body_bm25') LIMIT 2`,
        ['US tariffs'],
      );
      // Lower is better; the row with both words comes first.
      assert.equal(ranked.rows[0].id, 2);
      console.log('bm25 (pg_textsearch): ids', ranked.rows.map((row) => `${row.id} (${Number(row.score).toFixed(4)})`).join(', '));
    } else {
      console.log('bm25: pg_textsearch is not installed on this server (full-text search is the fallback)');
    }

    // LISTEN/NOTIFY between two connections: how serving processes will learn of a new ingest.
    const listener = new Client({ connectionString: databaseUrl });
    await listener.connect();
    try {
      await listener.query(`LISTEN ${schema}`);
      let timer;
      const received = new Promise((resolve, reject) => {
        listener.once('notification', resolve);
        timer = setTimeout(() => reject(new Error('LISTEN/NOTIFY: no notification reached the other connection in 5 s')), 5000);
      });
      await client.query('SELECT pg_notify($1, $2)', [schema, 'ingested']);
      const notification = await received.finally(() => clearTimeout(timer));
      assert.equal(notification.payload, 'ingested');
      console.log('listen/notify: received', notification.payload);
    } finally {
      await listener.end();
    }
    console.log('smoke check passed');
  } finally {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
