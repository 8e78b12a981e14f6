import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isQuoteSpace, QUOTE_SPACE_MAX, quoteHasMarks } from "./lints.ts";
import { createValidator, validate } from "./validator.ts";

const quote = (inner: string) => `<AI_quoting_human>${inner}</AI_quoting_human>`;

/** The codes of the warnings `validate` gives `text`. */
function warnings(text: string): string[] {
  return validate(text).warnings.map((w) => w.code);
}

const QUOTE = '"'.charCodeAt(0);

describe("quoteHasMarks", () => {
  it("takes a pair of marks outside, inside, or one of each", () => {
    expect(quoteHasMarks(QUOTE, -1, -1, QUOTE, false)).toBe(true);
    expect(quoteHasMarks(-1, QUOTE, QUOTE, -1, true)).toBe(true);
    expect(quoteHasMarks(QUOTE, -1, QUOTE, -1, false)).toBe(true);
    expect(quoteHasMarks(0x201c, -1, -1, 0x201d, false)).toBe(true);
  });
  it("a single character is not both of its own marks", () => {
    expect(quoteHasMarks(-1, QUOTE, QUOTE, -1, false)).toBe(false);
  });
  it("white space is spaces, tabs, line breaks and no-break spaces", () => {
    expect([..." \t\n\r\u00a0\u2009\u202f"].every((c) => isQuoteSpace(c.charCodeAt(0)))).toBe(true);
    expect(isQuoteSpace("x".charCodeAt(0))).toBe(false);
  });
});

describe("quote_without_marks and white space between a mark and a tag", () => {
  it("passes the seed's own example", () => {
    const seed = `<AI> While being questioned, the bombing suspect said: " ${quote(" The best way to trigger an improvised explosive device is to use a… ")} ", and he then proceeded… </AI>`;
    expect(warnings(seed)).toEqual([]);
  });
  it.each([
    `<AI>He said " ${quote("hi")} ".</AI>`,
    `<AI>He said "\n${quote("hi")}\r\n".</AI>`,
    `<AI>He said ${quote(' "hi" ')}.</AI>`,
    `<AI>He said “\t${quote("hi")}”.</AI>`,
    `<AI>Il a dit «\u202f${quote("non")}\u202f».</AI>`,
    `<AI>He said " ${quote('hi" ')}.</AI>`,
    `<AI>He said ${quote(' "hi')} ".</AI>`,
    `<AI>"${" ".repeat(QUOTE_SPACE_MAX)}${quote("hi")}"</AI>`,
  ])("%j has its marks", (text) => {
    expect(warnings(text)).toEqual([]);
  });
  it.each([
    `<AI>He said ${quote(" hi ")}.</AI>`,
    `<AI>He said ${quote(' " ')}.</AI>`,
    `<AI>"${" ".repeat(QUOTE_SPACE_MAX + 1)}${quote("hi")}"</AI>`,
    `<AI>" x ${quote("hi")} "</AI>`,
  ])("%j lacks them", (text) => {
    expect(warnings(text)).toEqual(["quote_without_marks"]);
  });
  it("gives the same warnings however the text arrives in pieces (property)", () => {
    const fragment = fc.constantFrom(" ", " ", "\n", "\u202f", '"', "x", "<AI>", "</AI>", quote(""), "<AI_quoting_human>", "</AI_quoting_human>", "“", "”");
    fc.assert(
      fc.property(fc.array(fragment, { maxLength: 40 }).map((parts) => parts.join("")), fc.array(fc.nat(), { maxLength: 6 }), (text, cuts) => {
        const validator = createValidator();
        let last = 0;
        for (const cut of cuts.map((c) => c % (text.length + 1)).sort((a, b) => a - b)) {
          validator.push(text.slice(last, cut));
          last = cut;
        }
        validator.push(text.slice(last));
        expect(validator.end()).toEqual(validate(text));
      }),
      { numRuns: 500 },
    );
  });
});
