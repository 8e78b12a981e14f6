/** A category or interaction type as words ("investigation_before_answering" → "investigation before answering"). */
export function tagWords(tag: string): string {
  return tag.replaceAll("_", " ");
}
