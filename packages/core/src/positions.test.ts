import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { codePointLength, codePointToUtf16, positionAt, utf16ToCodePoint } from "./positions.ts";

describe("UTF-16 ↔ code points", () => {
  const text = "a😀b\uD800c𝄞";
  it.each([
    [0, 0],
    [1, 1],
    [2, 1],
    [3, 2],
    [4, 3],
    [5, 4],
    [6, 5],
    [8, 6],
  ])("UTF-16 index %i is code point %i", (index, offset) => {
    expect(utf16ToCodePoint(text, index)).toBe(offset);
  });

  it("code points back to UTF-16 indices", () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((cp) => codePointToUtf16(text, cp))).toEqual([0, 1, 3, 4, 5, 6, 8]);
    expect(codePointToUtf16(text, 99)).toBe(text.length);
  });

  it("agrees with iterating by code point (property)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 300 }), (s) => {
        const points = Array.from(s);
        expect(codePointLength(s)).toBe(points.length);
        let units = 0;
        points.forEach((p, cp) => {
          expect(utf16ToCodePoint(s, units)).toBe(cp);
          expect(codePointToUtf16(s, cp)).toBe(units);
          units += p.length;
        });
      }),
    );
  });
});

describe("positionAt", () => {
  it("gives 1-based line and column in code points", () => {
    const text = "😀\r\nx\ry\n😀z";
    expect(positionAt(text, 0)).toEqual({ offset: 0, line: 1, column: 1 });
    expect(positionAt(text, 3)).toEqual({ offset: 3, line: 2, column: 1 });
    expect(positionAt(text, 5)).toEqual({ offset: 5, line: 3, column: 1 });
    expect(positionAt(text, 8)).toEqual({ offset: 8, line: 4, column: 2 });
  });
});
