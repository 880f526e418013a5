/**
 * One load per key in this process: later callers share the first caller's promise, and a load that
 * fails is forgotten, so the next call tries again (say after `npm run install-model`).
 */
export function onceByKey<T>(): (key: string, load: () => Promise<T>) => Promise<T> {
  const loads = new Map<string, Promise<T>>();
  return (key, load) => {
    const known = loads.get(key);
    if (known !== undefined) return known;
    const loading = load();
    loads.set(key, loading);
    loading.catch(() => loads.delete(key));
    return loading;
  };
}
