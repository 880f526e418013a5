import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { isIndexChangedMessage, shardOfThisProcess } from '../../src/shards.js';

const load = (environment: Record<string, string>) => loadConfig(environment, { baseDir: '/project', loadDotenv: false });

function problems(environment: Record<string, string>): readonly string[] {
  try {
    load(environment);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('DISCORD_SHARDS', () => {
  it('defaults to auto (Discord recommends), and reads a number of shards', () => {
    expect(load({}).discord.shards).toBe('auto');
    expect(load({ DISCORD_SHARDS: 'auto' }).discord.shards).toBe('auto');
    expect(load({ DISCORD_SHARDS: '2' }).discord.shards).toBe(2);
  });

  it('refuses what is not a whole number of shards from 1, with the value given', () => {
    expect(problems({ DISCORD_SHARDS: '0' })).toEqual(['DISCORD_SHARDS: must be at least 1 shard (got "0")']);
    expect(problems({ DISCORD_SHARDS: '1.5' })).toEqual(['DISCORD_SHARDS: must be a whole number of shards, or auto (got "1.5")']);
    expect(problems({ DISCORD_SHARDS: 'two' })).toEqual(['DISCORD_SHARDS: must be a whole number of shards, or auto (got "two")']);
    expect(problems({ DISCORD_SHARDS: '5000' })).toEqual(['DISCORD_SHARDS: must be at most 1024 shards (got "5000")']);
  });
});

describe('a shard process', () => {
  it('is one only when a ShardingManager started it (its environment and an IPC channel)', () => {
    const environment = { SHARDING_MANAGER: 'true', SHARDS: '1', SHARD_COUNT: '2' };
    expect(shardOfThisProcess(environment, true)).toEqual({ id: 1, count: 2 });
    expect(shardOfThisProcess(environment, false)).toBeNull(); // the variables without a manager to talk to
    expect(shardOfThisProcess({}, true)).toBeNull();
    expect(shardOfThisProcess({ ...environment, SHARDS: '2' }, true)).toBeNull(); // not one of the shards
  });

  it('knows the message a shard sends when it saved a new index, and nothing else', () => {
    expect(isIndexChangedMessage({ type: 'seed-quotes:index-changed', builtAt: '2026-11-30T22:00:00.000Z' })).toBe(true);
    expect(isIndexChangedMessage({ _ready: true })).toBe(false);
    expect(isIndexChangedMessage({ type: 'seed-quotes:index-changed' })).toBe(false);
    expect(isIndexChangedMessage(null)).toBe(false);
  });
});
