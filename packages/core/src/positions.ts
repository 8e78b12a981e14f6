/**
 * Positions in tagged text. Everywhere outside the browser, offsets are Unicode code points
 * (what Python's `text[i]` counts) plus 1-based line and column (column in code points).
 * JavaScript strings index UTF-16 code units, so an astral character such as an emoji is one
 * code point but two units. A lone surrogate (possible in JSON input) counts as one code point.
 * Line breaks are "\n", "\r\n" and a lone "\r", as in the codec.
 */

/** A place in a text: code-point offset and 1-based line and column (column in code points). */
export interface TextPosition {
  offset: number;
  line: number;
  column: number;
}

// Global so that `lastIndex` can bound each search; callers always set `lastIndex` first.
const SURROGATE_PAIR = /[\uD800-\uDBFF][\uDC00-\uDFFF]/g;

/** Below this many units a plain loop beats setting up a regular-expression search. */
const SHORT = 64;

/** The number of surrogate pairs wholly inside `text[from, to)`. */
function surrogatePairs(text: string, from: number, to: number): number {
  let pairs = 0;
  if (to - from < SHORT) {
    for (let i = from; i < to - 1; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff) {
        const d = text.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          pairs++;
          i++;
        }
      }
    }
    return pairs;
  }
  // Searching a slice keeps the search from running past `to`; V8 slices without copying.
  const region = from === 0 && to === text.length ? text : text.slice(from, to);
  SURROGATE_PAIR.lastIndex = 0;
  while (SURROGATE_PAIR.test(region)) pairs++;
  return pairs;
}

/** The number of code points in `text[from, to)` (UTF-16 indices). */
export function codePointLength(text: string, from = 0, to = text.length): number {
  return to - from - surrogatePairs(text, from, to);
}

/**
 * The code-point offset of UTF-16 index `index` in `text`. An index between the two halves of
 * a surrogate pair gives the offset of that pair's code point.
 */
export function utf16ToCodePoint(text: string, index: number): number {
  let clamped = Math.max(0, Math.min(index, text.length));
  const before = text.charCodeAt(clamped - 1);
  const after = text.charCodeAt(clamped);
  if (before >= 0xd800 && before <= 0xdbff && after >= 0xdc00 && after <= 0xdfff) clamped--;
  return codePointLength(text, 0, clamped);
}

/** The UTF-16 index of code-point offset `offset` in `text` (clamped to the text). */
export function codePointToUtf16(text: string, offset: number): number {
  let units = 0;
  for (let points = 0; points < offset && units < text.length; points++) {
    const c = text.charCodeAt(units);
    const d = text.charCodeAt(units + 1);
    units += c >= 0xd800 && c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff ? 2 : 1;
  }
  return units;
}

/** Line and column (1-based, column in code points) of a code-point offset in `text`. */
export function positionAt(text: string, offset: number): TextPosition {
  const index = codePointToUtf16(text, offset);
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < index; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { offset: codePointLength(text, 0, index), line, column: codePointLength(text, lineStart, index) + 1 };
}
