/**
 * The two warnings (SPEC §2). They never make a text invalid.
 *
 * `near_miss_tag`: a string that looks like a tag but is not one would teach a model that
 * tag-like strings can be ordinary text. The rule, exactly: starting at a `<`,
 *
 *     <  WS  [ /  WS ]  NAME  WS  [ /  WS ]  >
 *
 * where WS is zero to four spaces or tabs, and NAME is one of the tag names `AI`,
 * `AI_quoting_human` or `AI_quoting_unaligned_AI`, compared ignoring ASCII case, where each `_`
 * of the name may also be written `-` or a space. A match that is exactly a tag of the
 * grammar is the tag itself, not a warning. So `<ai>`, `< AI>`, `</AI >`, `<Ai>`, `</ ai>`,
 * `<AI/>`, `<AI_quoting_Human>` and `<AI quoting human>` are near misses; `<AIx>`, `<A I>` and
 * `a < b` are not. When unaligned quotes are off, `<AI_quoting_unaligned_AI>` itself is a near
 * miss (it is plain text in such a project).
 *
 * `quote_without_marks`: a quote span should read as quoted speech, so its content must sit
 * directly inside a pair of quotation marks: `"…"`, `“…”` or `«…»`. Each mark may be just
 * outside the tag or just inside it (`"<AI_quoting_human>Hi</AI_quoting_human>"` and
 * `<AI_quoting_human>"Hi"</AI_quoting_human>` both pass), with white space between the mark
 * and the tag (`said: " <AI_quoting_human> The best way… </AI_quoting_human> ", and`, as in
 * the seed's own example; `« <AI_quoting_human>Non</AI_quoting_human> »` with the narrow
 * no-break spaces of French typography): up to `QUOTE_SPACE_MAX` spaces, tabs, line breaks or
 * no-break spaces, which a reader does not see as words between the mark and the speech.
 * Quotes of thoughts or actions need no marks, so a project can turn this warning off.
 */
import { ALL_TAGS, type Grammar, type Tag } from "./grammar.ts";

/** The tag names a near miss is compared against: every name the format knows. */
const TAG_NAMES = [...new Set(ALL_TAGS.map((t) => t.replace(/[</>]/g, "")))].sort((a, b) => b.length - a.length);

/** The most spaces or tabs a near miss may have in one place. */
const MAX_SPACES = 4;

/** The longest string a near miss can be: `<`, the longest name, two slashes and four runs of spaces. */
export const NEAR_MISS_MAX_LENGTH = 1 + 2 + 4 * MAX_SPACES + Math.max(...TAG_NAMES.map((n) => n.length)) + 1;

/** A near miss found in a text. */
export interface NearMiss {
  /** Its length in UTF-16 units (it is ASCII, so also in code points). */
  length: number;
  /** The tag it looks like. */
  intended: Tag;
}

function skipSpaces(text: string, j: number): number {
  const limit = j + MAX_SPACES;
  while (j < limit) {
    const c = text.charCodeAt(j);
    if (c !== 32 && c !== 9) break;
    j++;
  }
  return j;
}

/** The end of `name` matched at `text[j]` under the near-miss rule, or -1. */
function matchName(text: string, j: number, name: string): number {
  for (let k = 0; k < name.length; k++, j++) {
    const c = text.charCodeAt(j);
    const expected = name.charCodeAt(k);
    if (expected === 95 /* _ */) {
      if (c !== 95 && c !== 45 /* - */ && c !== 32) return -1;
    } else if ((c | 0x20) !== (expected | 0x20)) {
      // Letters only: `| 0x20` folds ASCII case; the name holds no other characters.
      return -1;
    }
  }
  return j;
}

/**
 * The near miss starting at `text[i]` (a `<` that is not a tag of the grammar), or null.
 * Reads at most `NEAR_MISS_MAX_LENGTH` characters.
 */
export function nearMissAt(text: string, i: number): NearMiss | null {
  let j = skipSpaces(text, i + 1);
  const closing = text.charCodeAt(j) === 47; /* / */
  if (closing) j = skipSpaces(text, j + 1);
  for (const name of TAG_NAMES) {
    let end = matchName(text, j, name);
    if (end < 0) continue;
    end = skipSpaces(text, end);
    if (text.charCodeAt(end) === 47) end = skipSpaces(text, end + 1);
    if (text.charCodeAt(end) !== 62 /* > */) continue;
    return { length: end + 1 - i, intended: (closing ? `</${name}>` : `<${name}>`) as Tag };
  }
  return null;
}

/** The message for a near miss `found` (without the "Line …" prefix). */
export function nearMissMessage(g: Grammar, found: string, intended: Tag): string {
  if (!g.tags.includes(intended)) {
    const looks = found === intended ? `\`${found}\` is not a tag in this project` : `\`${found}\` looks like \`${intended}\`, which is not a tag in this project`;
    return `${looks} (quotes of unaligned AI are turned off), so it is read as plain text. Rephrase it so that it does not look like a tag.`;
  }
  return `\`${found}\` looks like the tag \`${intended}\` but is not one (tags are exact and case-sensitive), so it is read as plain text. Write \`${intended}\` if you meant the tag; otherwise rephrase it so that it does not look like a tag.`;
}

/** Opening quotation marks and the closing mark each one pairs with (all in the BMP). */
export const QUOTATION_MARKS: ReadonlyMap<number, number> = new Map([
  [0x22, 0x22], // "…"
  [0x201c, 0x201d], // “…”
  [0xab, 0xbb], // «…»
]);

/** `CLOSING_MARK[open]`: the closing mark that pairs with opening mark `open`, or 0. */
const CLOSING_MARK = new Uint16Array(Math.max(...QUOTATION_MARKS.keys()) + 1);
for (const [open, close] of QUOTATION_MARKS) CLOSING_MARK[open] = close;

function pairs(open: number, close: number): boolean {
  return open >= 0 && open < CLOSING_MARK.length && CLOSING_MARK[open] === close && close !== 0;
}

/** The most white space the quote lint looks through between a quotation mark and a tag. */
export const QUOTE_SPACE_MAX = 16;

/**
 * Whether a UTF-16 code unit is white space that may stand between a quotation mark and a
 * quote's tag: space, tab, line feed, carriage return, no-break space, thin space, narrow
 * no-break space.
 */
export function isQuoteSpace(unit: number): boolean {
  return unit === 0x20 || unit === 0x09 || unit === 0x0a || unit === 0x0d || unit === 0xa0 || unit === 0x2009 || unit === 0x202f;
}

/**
 * Whether a quote span's content is directly inside quotation marks (the lint passes), given
 * the nearest code units that are not white space (see `isQuoteSpace`; -1 where there is none
 * within `QUOTE_SPACE_MAX`): before its open tag, the first and last of its content, after its
 * close tag; and whether the content's first and last are two characters (a one-character
 * content cannot be both of its own marks). Scalars, not an object: the validator calls this
 * for every quote.
 */
export function quoteHasMarks(beforeOpen: number, contentFirst: number, contentLast: number, afterClose: number, distinct: boolean): boolean {
  return pairs(beforeOpen, afterClose) || (distinct && pairs(contentFirst, contentLast)) || pairs(beforeOpen, contentLast) || pairs(contentFirst, afterClose);
}

/** The message for a quote without marks, given the quote's label ("a quote of a human"). */
export function quoteWithoutMarksMessage(label: string): string {
  return `this is ${label}, but it is not directly inside quotation marks ("…", “…” or «…»). Put the quoted words in quotation marks; if it quotes a thought or an action rather than speech, this warning can be turned off for the project.`;
}
