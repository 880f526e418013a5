import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const load = (environment: Record<string, string>) => loadConfig(environment, { baseDir: '/project', loadDotenv: false });

describe('STORE and DATABASE_URL', () => {
  it('default to the local files, so `npm start` needs no database', () => {
    expect(load({}).store).toEqual({ kind: 'local' });
  });

  it('read a PostgreSQL store with its URL and word search', () => {
    expect(load({ STORE: 'postgres', DATABASE_URL: 'postgres://bot:pw@db:5432/quotes' }).store).toEqual({
      kind: 'postgres',
      url: 'postgres://bot:pw@db:5432/quotes',
      lexicalSearch: 'bm25',
    });
    expect(load({ STORE: 'postgres', DATABASE_URL: 'postgresql://db/quotes', POSTGRES_LEXICAL_SEARCH: 'memory' }).store).toMatchObject({
      lexicalSearch: 'memory',
    });
  });

  it('refuse a postgres store without a URL, a URL of another kind (without echoing it), and an unknown store', () => {
    const problems = (environment: Record<string, string>) => {
      try {
        load(environment);
      } catch (error) {
        if (error instanceof ConfigError) return error.problems;
      }
      return [];
    };
    expect(problems({ STORE: 'postgres' })).toEqual([
      'DATABASE_URL: must be set when STORE=postgres (postgres://user:password@host:5432/database)',
    ]);
    const [wrongUrl] = problems({ STORE: 'postgres', DATABASE_URL: 'mysql://root:secret@db/quotes' });
    expect(wrongUrl).toMatch(/^DATABASE_URL: must be a PostgreSQL URL/);
    expect(wrongUrl).not.toContain('secret');
    expect(problems({ STORE: 'sqlite' })[0]).toMatch(/^STORE: /);
  });
});
