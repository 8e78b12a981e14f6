/**
 * How large a document may grow before the server would refuse to save it: the core's
 * `DOCUMENT_LIMITS`, which the server applies to every save. The limits are checked where a
 * document can grow by a lot at once (paste and drop); a save past them by typing is refused with
 * the server's message, and the draft is kept.
 */
import { checkDocumentShape, DOCUMENT_LIMITS } from "@prealign/core";
import type { Node } from "prosemirror-model";

function tooLarge(detail: string): string {
  return `the example would then be too large to save: ${detail}`;
}

/**
 * The longest tagged text that could fit the limits: every character of text, and for each part
 * a line break or the tags of a span (60 characters covers the longest tag pair).
 */
const LONGEST_FITTING_TEXT = DOCUMENT_LIMITS.characters + DOCUMENT_LIMITS.nodes * 60;

/**
 * Why `text` alone is too large, or null: a tagged text longer than any that could fit the
 * limits is refused before it is read, which would take a while. Shorter texts are read, and the
 * document they make is measured with {@link documentTooLarge}.
 */
export function textTooLarge(text: string): string | null {
  if (text.length <= LONGEST_FITTING_TEXT) return null;
  return tooLarge(`it would hold more than ${DOCUMENT_LIMITS.characters.toLocaleString("en")} characters. Split the example into several shorter examples.`);
}

/** Why the document is over the limits as a save would send it, or null when it is within them. */
export function documentTooLarge(doc: Node): string | null {
  try {
    checkDocumentShape(doc.toJSON());
    return null;
  } catch (error) {
    return tooLarge(error instanceof Error ? error.message : String(error));
  }
}
