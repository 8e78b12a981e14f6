/**
 * Checking text meant to become the inside of one AI span (commentary a model drafted, then
 * perhaps edited by a person) before it is inserted: the server checks a model's answer with it
 * and the editor checks the person's edit with it, so both refuse the same things in the same
 * words.
 */
import type { GrammarOptions } from "./grammar.ts";
import { validate } from "./validator.ts";

const OPEN = "<AI>";
const CLOSE = "</AI>";

/** Why `inside` cannot be the inside of one AI span, as a sentence, or null when it can. Positions count code points from 1. */
export function aiSpanInsideProblem(inside: string, options: GrammarOptions = {}): string | null {
  if (inside.trim() === "") return "The commentary is empty.";
  const result = validate(`${OPEN}${inside}${CLOSE}`, { ...options, nearMissTags: false, quoteWithoutMarks: false });
  const length = Array.from(inside).length;
  if (!result.valid) {
    const first = result.errors[0]!;
    const at = Math.max(0, first.offset - OPEN.length);
    // The error is at the closing tag it was wrapped in: a quote was left open.
    if (at >= length) return "The commentary leaves a quote open at its end: close it with its closing tag.";
    // The validator's own position counts the tag added in front; the inside's is given instead.
    return `At character ${at + 1}: ${first.message.replace(/^Line \d+, column \d+: /, "")}`;
  }
  // Valid between the tags is not enough: "a</AI> b <AI>c" closes the span and opens another,
  // with human text between them.
  const closing = inside.indexOf(CLOSE);
  if (closing >= 0) {
    return `At character ${Array.from(inside.slice(0, closing)).length + 1}: ${CLOSE} would close the AI span; the commentary must stay inside one span.`;
  }
  return null;
}
