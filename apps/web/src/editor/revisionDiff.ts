/**
 * The difference between two revisions' tagged texts, word by word (tags count as words, so a
 * changed span edge shows). Long, very different texts are cut off after a time limit rather
 * than freezing the page.
 */
import { diffWordsWithSpace } from "diff";

/** One piece of a diff: unchanged, added or removed text. */
export interface DiffPart {
  kind: "same" | "added" | "removed";
  text: string;
}

/** The word diff from `before` to `after`, or null when it would take longer than `timeoutMs`. */
export function revisionDiff(before: string, after: string, timeoutMs = 500): DiffPart[] | null {
  const changes = diffWordsWithSpace(before, after, { timeout: timeoutMs });
  if (!changes) return null;
  return changes.map((change) => ({ kind: change.added ? "added" : change.removed ? "removed" : "same", text: change.value }));
}
