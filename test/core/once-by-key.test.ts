import { describe, expect, it } from 'vitest';
import { onceByKey } from '../../src/core/once-by-key.js';

describe('onceByKey', () => {
  it('loads each key once: callers at the same time and later ones share the first load', async () => {
    const shared = onceByKey<{ key: string }>();
    let loads = 0;
    const load = (key: string) => async () => {
      loads++;
      return { key };
    };
    const [first, second] = await Promise.all([shared('a', load('a')), shared('a', load('a'))]);
    const later = await shared('a', load('a'));
    const other = await shared('b', load('b'));
    expect(loads).toBe(2);
    expect(second).toBe(first);
    expect(later).toBe(first);
    expect(other).toEqual({ key: 'b' });
  });

  it('forgets a load that failed, so the next call tries again', async () => {
    const shared = onceByKey<string>();
    await expect(shared('model', () => Promise.reject(new Error('no model yet')))).rejects.toThrow('no model yet');
    await expect(shared('model', async () => 'installed')).resolves.toBe('installed');
    await expect(shared('model', () => Promise.reject(new Error('not called')))).resolves.toBe('installed');
  });
});
