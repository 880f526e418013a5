/** Dot product; equals cosine similarity for the unit vectors the embedder returns. */
export function cosine(left: Float32Array, right: Float32Array): number {
  let sum = 0;
  const length = Math.min(left.length, right.length);
  for (let index = 0; index < length; index++) sum += (left[index] ?? 0) * (right[index] ?? 0);
  return sum;
}
