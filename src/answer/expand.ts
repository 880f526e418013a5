/**
 * WordNet expansion: each question word, and each adjacent pair of question words, brings the
 * corpus terms that share one of its usual senses ("raise" → elevate, "tariff" → duty), weighted
 * `weight`, below the question’s own words. WordNet’s
 * synonyms of frequent senses are precise enough to expand words the corpus also uses.
 */
export function synonymExpansions(
  questionTerms: readonly string[],
  synonymsOf: (term: string) => readonly string[],
  weight: number,
): Map<string, number> {
  const expansions = new Map<string, number>();
  if (weight <= 0) return expansions;
  const own = new Set(questionTerms);
  const pairs = questionTerms.slice(1).map((term, index) => `${questionTerms[index]}_${term}`);
  for (const term of [...questionTerms, ...pairs]) {
    for (const synonym of synonymsOf(term)) if (!own.has(synonym)) expansions.set(synonym, weight);
  }
  return expansions;
}

/**
 * "Which port", "what type of railway": the corpus terms that are a kind of the thing asked for
 * (Haiphong, standard gauge) join the lexical query with a small weight, so passages naming one
 * rank higher. A focus with more than `maxKinds` kinds is too broad ("group", "person") to say much.
 */
export function kindExpansions(
  askedThings: readonly string[],
  kindsOf: (term: string) => ReadonlySet<string>,
  weight: number,
  maxKinds: number,
): Map<string, number> {
  const expansions = new Map<string, number>();
  if (weight <= 0) return expansions;
  for (const thing of askedThings) {
    const kinds = kindsOf(thing);
    if (kinds.size <= maxKinds) for (const kind of kinds) expansions.set(kind, weight);
  }
  return expansions;
}
