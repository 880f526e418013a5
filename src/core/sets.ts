/** Shared members over all members (0 when both are empty). */
export function jaccard(left: ReadonlySet<string>, right: ReadonlySet<string>): number {
  let shared = 0;
  for (const term of left) if (right.has(term)) shared++;
  const union = left.size + right.size - shared;
  return union > 0 ? shared / union : 0;
}

/** Both non-empty and sharing nothing. */
export function disjoint(left: ReadonlySet<string>, right: ReadonlySet<string>): boolean {
  return left.size > 0 && right.size > 0 && [...left].every((value) => !right.has(value));
}
