/** The value under `key`, computed and stored on first use (as the TC39 `Map.prototype.getOrInsertComputed`). */
export function getOrInsert<K, V>(map: Map<K, V>, key: K, compute: (key: K) => V): V {
  if (map.has(key)) return map.get(key) as V;
  const value = compute(key);
  map.set(key, value);
  return value;
}

/** The same for a WeakMap: a value derived once per object (an index snapshot, a question). */
export function getOrInsertWeak<K extends object, V>(map: WeakMap<K, V>, key: K, compute: (key: K) => V): V {
  if (map.has(key)) return map.get(key) as V;
  const value = compute(key);
  map.set(key, value);
  return value;
}

/**
 * `getOrInsert` for caches fed by unbounded input (question words, texts): past `limit` entries
 * the map starts over, so a long-running bot cannot grow it without end.
 */
export function getOrInsertBounded<K, V>(map: Map<K, V>, key: K, compute: (key: K) => V, limit: number): V {
  if (map.has(key)) return map.get(key) as V;
  const value = compute(key);
  if (map.size >= limit) map.clear();
  map.set(key, value);
  return value;
}
