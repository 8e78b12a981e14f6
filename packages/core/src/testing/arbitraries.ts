/**
 * fast-check generators of tagged text, shared by the tests of this package. Built by hand
 * from the specification's nesting (not from the grammar table) so that tests check the table.
 */
import fc from "fast-check";

/**
 * Pieces of text that can never form a tag when concatenated: no piece contains a capital
 * `I`, except whole near misses that cannot combine into a tag. They cover the hard cases:
 * every line break, astral characters, lone surrogates, quotation marks, `<` and `>`.
 */
const PIECES = ["a", "b", " ", "  ", "\t", "\n", "\r", "\r\n", "😀", "é", "<", ">", "/", "A", "_", '"', "“", "”", "«", "»", "<ai>", "< AI>", "</ ai>", "<Ai>", "\uD800", "\uDFFF", "\u0000", "\u{10FFFF}"];

/** Human-mode text between tags. */
export const textPiece = fc.array(fc.constantFrom(...PIECES), { maxLength: 6 }).map((parts) => parts.join(""));

/** A valid tagged text; `unalignedQuotes` adds the unaligned-AI quote pair. */
export function taggedText(unalignedQuotes = false): fc.Arbitrary<string> {
  const quoteTags = unalignedQuotes
    ? [
        ["<AI_quoting_human>", "</AI_quoting_human>"],
        ["<AI_quoting_unaligned_AI>", "</AI_quoting_unaligned_AI>"],
      ]
    : [["<AI_quoting_human>", "</AI_quoting_human>"]];
  const quote = fc
    .tuple(fc.constantFrom(...quoteTags), textPiece)
    .map(([[open, close], inner]) => `${open!}${inner}${close!}`);
  const aiSpan = fc
    .array(fc.oneof({ weight: 3, arbitrary: textPiece }, { weight: 1, arbitrary: quote }), { maxLength: 5 })
    .map((parts) => `<AI>${parts.join("")}</AI>`);
  return fc.array(fc.oneof({ weight: 2, arbitrary: textPiece }, { weight: 1, arbitrary: aiSpan }), { maxLength: 8 }).map((parts) => parts.join(""));
}
