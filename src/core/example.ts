/** A question to suggest in a help reply, made from a document's title: the help speaks of the loaded corpus, not of one written for the seeds. */
export function exampleQuestion(title: string): string {
  return `What does “${title}” say?`;
}
