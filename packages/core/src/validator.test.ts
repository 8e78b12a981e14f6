import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createValidator, validate, type DiagnosticCode, type ValidationResult, type ValidatorOptions } from "./validator.ts";

const UNALIGNED: ValidatorOptions = { unalignedQuotes: true };

function valid(text: string, options: ValidatorOptions = {}): ValidationResult {
  const result = validate(text, options);
  expect(result.errors, JSON.stringify(text)).toEqual([]);
  expect(result.valid).toBe(true);
  return result;
}

function invalid(text: string, code: DiagnosticCode, offset: number, options: ValidatorOptions = {}): ValidationResult {
  const result = validate(text, options);
  expect(result.valid, JSON.stringify(text)).toBe(false);
  expect(result.errors[0], JSON.stringify(text)).toMatchObject({ code, offset });
  return result;
}

/** Feeds `text` to the streaming validator in pieces cut at `cuts` (UTF-16 indices). */
function validateInPieces(text: string, cuts: number[], options: ValidatorOptions = {}): ValidationResult {
  const validator = createValidator(options);
  let last = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    validator.push(text.slice(last, cut));
    last = cut;
  }
  validator.push(text.slice(last));
  return validator.end();
}

// Written out by hand (not derived from the grammar table) so that the table is checked
// against the specification rather than against itself.
const REACH = {
  human: { prefix: "", suffix: "" },
  ai: { prefix: "<AI>", suffix: "</AI>" },
  ai_quoting_human: { prefix: "<AI><AI_quoting_human>", suffix: "</AI_quoting_human></AI>" },
  ai_quoting_unaligned_ai: { prefix: "<AI><AI_quoting_unaligned_AI>", suffix: "</AI_quoting_unaligned_AI></AI>" },
} as const;

/** For each mode and tag: the mode reached, or null when the tag is illegal there. */
const LEGAL: Record<keyof typeof REACH, Record<string, keyof typeof REACH | null>> = {
  human: {
    "<AI>": "ai",
    "</AI>": null,
    "<AI_quoting_human>": null,
    "</AI_quoting_human>": null,
    "<AI_quoting_unaligned_AI>": null,
    "</AI_quoting_unaligned_AI>": null,
  },
  ai: {
    "<AI>": null,
    "</AI>": "human",
    "<AI_quoting_human>": "ai_quoting_human",
    "</AI_quoting_human>": null,
    "<AI_quoting_unaligned_AI>": "ai_quoting_unaligned_ai",
    "</AI_quoting_unaligned_AI>": null,
  },
  ai_quoting_human: {
    "<AI>": null,
    "</AI>": null,
    "<AI_quoting_human>": null,
    "</AI_quoting_human>": "ai",
    "<AI_quoting_unaligned_AI>": null,
    "</AI_quoting_unaligned_AI>": null,
  },
  ai_quoting_unaligned_ai: {
    "<AI>": null,
    "</AI>": null,
    "<AI_quoting_human>": null,
    "</AI_quoting_human>": null,
    "<AI_quoting_unaligned_AI>": null,
    "</AI_quoting_unaligned_AI>": "ai",
  },
};

describe("every tag in every mode", () => {
  for (const [mode, row] of Object.entries(LEGAL) as [keyof typeof REACH, Record<string, keyof typeof REACH | null>][]) {
    for (const [tag, to] of Object.entries(row)) {
      const { prefix, suffix } = REACH[mode];
      it(`${tag} in ${mode} (unaligned quotes on)`, () => {
        if (to) valid(`${prefix}x${tag}y${REACH[to].suffix}`, UNALIGNED);
        else invalid(`${prefix}x${tag}y${suffix}`, "illegal_transition", prefix.length + 1, UNALIGNED);
      });
      if (mode === "ai_quoting_unaligned_ai") continue;
      it(`${tag} in ${mode} (unaligned quotes off)`, () => {
        if (tag.includes("unaligned")) {
          // Plain text where the pair is off: still valid, but flagged as a near miss.
          const result = valid(`${prefix}x${tag}y${suffix}`);
          expect(result.warnings.map((w) => w.code)).toContain("near_miss_tag");
        } else if (to) {
          valid(`${prefix}x${tag}y${REACH[to].suffix}`);
        } else {
          invalid(`${prefix}x${tag}y${suffix}`, "illegal_transition", prefix.length + 1);
        }
      });
    }
  }
});

describe("valid texts", () => {
  it.each([
    "",
    "plain human text",
    "<AI></AI>",
    "<AI></AI><AI></AI>",
    "<AI>hello</AI>",
    'A<AI>B"<AI_quoting_human></AI_quoting_human>"C</AI>D',
    "line one\nline two\r\nline three\rline four",
    "<AI>spans\nrun\r\nover\rlines</AI>",
    "x <ai> y < AI> z",
    "a<b>c</b><AI_quoting_unaligned_AI>",
    "😀<AI>🎉</AI>😀",
    "\u{10FFFF}\uD800 lone surrogate <AI>\uDC00</AI>",
  ])("%j", (text) => {
    valid(text);
  });
});

describe("the end-of-text rule", () => {
  it("a text must end in human mode", () => {
    invalid("<AI>", "unclosed_span", 4);
    invalid("<AI>open", "unclosed_span", 8);
    invalid("<AI><AI_quoting_human>", "unclosed_span", 22);
    invalid("<AI><AI_quoting_unaligned_AI>x", "unclosed_span", 30, UNALIGNED);
  });

  it("the end position counts code points and lines", () => {
    const result = invalid("😀\r\n<AI>😀😀", "unclosed_span", 9);
    expect(result.errors[0]).toMatchObject({ line: 2, column: 7 });
  });

  it("a text ending in a lone CR ends on a new line", () => {
    expect(invalid("<AI>\r", "unclosed_span", 5).errors[0]).toMatchObject({ line: 2, column: 1 });
    expect(invalid("<AI>\r\n", "unclosed_span", 6).errors[0]).toMatchObject({ line: 2, column: 1 });
  });

  it("says where the unclosed spans were opened and how to close them", () => {
    const result = invalid("Hi\n  <AI>ok <AI_quoting_human>x", "unclosed_span", 31);
    expect(result.errors[0]!.message).toBe(
      "Line 2, column 29: the text ends inside the quote of a human opened at line 2, column 10 (itself inside the AI span opened at line 2, column 3); close them with `</AI_quoting_human></AI>`.",
    );
  });
});

describe("error positions", () => {
  it("offset, line and column are in code points, with emoji before the tag", () => {
    // "😀😀" is 2 code points but 4 UTF-16 units.
    const result = invalid("😀😀 </AI>", "illegal_transition", 3);
    expect(result.errors[0]).toMatchObject({ line: 1, column: 4, length: 5 });
  });

  it("lines count \\n, \\r\\n and lone \\r", () => {
    const result = invalid("a\nb\r\nc\rd😀e</AI>", "illegal_transition", 10);
    expect(result.errors[0]).toMatchObject({ line: 4, column: 4 });
  });

  it("columns restart after each line break", () => {
    const result = invalid("<AI>\n\n   😀<AI>", "illegal_transition", 10);
    expect(result.errors[0]).toMatchObject({ line: 3, column: 5 });
  });

  it("the message tells what to do (SPEC example)", () => {
    const result = invalid('ab\ncd\n<AI>"<AI_quoting_human>x</AI>', "illegal_transition", 30);
    expect(result.errors[0]!.message).toBe("Line 3, column 25: `</AI>` cannot close a quote of a human; close it with `</AI_quoting_human>` first.");
  });

  it.each([
    ["</AI>", "`</AI>` closes an AI span, but none is open here (the text here is human text). Remove it, or open an AI span with `<AI>` where it should start."],
    ["<AI><AI>", "`<AI>` cannot open an AI span inside an AI span: spans of the same kind do not nest. Close this one with `</AI>` first, or remove the tag."],
    ["<AI_quoting_human>", "`<AI_quoting_human>` can only be used in an AI span, but here the text is human text; open an AI span with `<AI>` first."],
    [
      "<AI><AI_quoting_human><AI>",
      "`<AI>` can only be used in human text, but here the text is a quote of a human; close the quote of a human with `</AI_quoting_human>` and close the AI span with `</AI>` first.",
    ],
  ])("message for %j", (text, message) => {
    const result = validate(text);
    expect(result.errors[0]!.message).toContain(message);
  });

  it("recovers after an illegal close so that one mistake gives one error", () => {
    const result = validate("<AI><AI_quoting_human>x</AI> then human text");
    expect(result.errors.map((e) => e.code)).toEqual(["illegal_transition"]);
  });

  it("skips an illegal open tag", () => {
    const result = validate("<AI><AI>x</AI>");
    expect(result.errors.map((e) => [e.code, e.offset])).toEqual([["illegal_transition", 4]]);
  });

  it("reports errors in text order", () => {
    const result = validate("</AI> x </AI_quoting_human> <AI>");
    expect(result.errors.map((e) => [e.code, e.offset])).toEqual([
      ["illegal_transition", 0],
      ["illegal_transition", 8],
      ["unclosed_span", 32],
    ]);
  });

  it("keeps at most maxDiagnostics errors but counts them all", () => {
    const result = validate("</AI>".repeat(50), { maxDiagnostics: 10 });
    expect(result.errors).toHaveLength(10);
    expect(result.errorCount).toBe(50);
  });
});

describe("near_miss_tag", () => {
  it.each([
    ["<ai>", 0, 4],
    ["x < AI> y", 2, 5],
    ["<AI_quoting_Human>", 0, 18],
    ["<AI>x</AI ></AI>", 5, 6],
    ["<Ai>", 0, 4],
    ["</ ai>", 0, 6],
    ["<AI/>", 0, 5],
    ["<AI quoting human>", 0, 18],
    ["<ai-quoting-unaligned-ai>", 0, 25],
    ["<\tAI\t>", 0, 6],
    ["😀<ai>", 1, 4],
  ])("%j is a near miss at %i (length %i)", (text, offset, length) => {
    const result = valid(text);
    expect(result.warnings.filter((w) => w.code === "near_miss_tag").map((w) => [w.offset, w.length])).toEqual([[offset, length]]);
  });

  it.each(["a < b", "<AIx>", "<A I>", "<ai", "<      ai>", "<b>bold</b>", "<<AI>></AI>", "<AI_quoting>"])("%j is not a near miss", (text) => {
    expect(validate(text).warnings.filter((w) => w.code === "near_miss_tag")).toEqual([]);
  });

  it("the unaligned pair is a near miss only when it is off", () => {
    expect(validate("<AI_quoting_unaligned_AI>").warnings.map((w) => w.code)).toEqual(["near_miss_tag"]);
    expect(validate("<AI><AI_quoting_unaligned_AI>“x”</AI_quoting_unaligned_AI></AI>", UNALIGNED).warnings).toEqual([]);
  });

  it("the message names the tag it looks like and what to do", () => {
    const [warning] = validate("ab\n</ ai>").warnings;
    expect(warning!.message).toBe(
      "Line 2, column 1: `</ ai>` looks like the tag `</AI>` but is not one (tags are exact and case-sensitive), so it is read as plain text. Write `</AI>` if you meant the tag; otherwise rephrase it so that it does not look like a tag.",
    );
    expect(warning).toMatchObject({ line: 2, column: 1, offset: 3 });
  });

  it("can be turned off", () => {
    expect(validate("<ai>", { nearMissTags: false }).warnings).toEqual([]);
  });
});

describe("quote_without_marks", () => {
  const quote = (inner: string) => `<AI_quoting_human>${inner}</AI_quoting_human>`;
  it.each([
    `<AI>He said "${quote("hi")}".</AI>`,
    `<AI>He said ${quote('"hi"')}.</AI>`,
    `<AI>He said “${quote("hi")}”.</AI>`,
    `<AI>He said ${quote("«hi»")}.</AI>`,
    `<AI>He said "${quote('hi"')}.</AI>`,
    `<AI>He said ${quote('"hi')}".</AI>`,
    `<AI>"${quote("")}"</AI>`,
  ])("%j has its marks", (text) => {
    expect(valid(text).warnings).toEqual([]);
  });

  it.each([
    [`<AI>He said ${quote("hi")}.</AI>`, 12],
    [`<AI>He said "${quote("hi")}.</AI>`, 13],
    [`<AI>He said “${quote("hi")}".</AI>`, 13],
    [`<AI>${quote('"')}</AI>`, 4],
    [`<AI>😀${quote("")}</AI>`, 5],
  ])("%j lacks them (warning at the quote's open tag, offset %i)", (text, offset) => {
    const result = valid(text);
    expect(result.warnings.map((w) => [w.code, w.offset])).toEqual([["quote_without_marks", offset]]);
  });

  it("applies to unaligned-AI quotes too", () => {
    const result = valid("<AI><AI_quoting_unaligned_AI>maximise</AI_quoting_unaligned_AI></AI>", UNALIGNED);
    expect(result.warnings[0]!.message).toContain("a quote of an unaligned AI");
  });

  it("can be turned off", () => {
    expect(validate(`<AI>${quote("thinks")}</AI>`, { quoteWithoutMarks: false }).warnings).toEqual([]);
  });

  it("warnings come out in text order", () => {
    const result = validate(`<AI>x ${quote("a <ai> b")}</AI> <ai>`);
    expect(result.warnings.map((w) => [w.code, w.offset])).toEqual([
      ["quote_without_marks", 6],
      ["near_miss_tag", 26],
      ["near_miss_tag", 57],
    ]);
  });
});

describe("streaming", () => {
  it("a tag split across chunks is still a tag", () => {
    const text = "ab<AI_quoting_human>";
    for (let cut = 1; cut < text.length; cut++) {
      expect(validateInPieces(text, [cut]).errors[0]).toMatchObject({ code: "illegal_transition", offset: 2 });
    }
  });

  it("a surrogate pair split across chunks counts as one code point", () => {
    const result = validateInPieces("😀😀</AI>", [1, 3]);
    expect(result.errors[0]).toMatchObject({ offset: 2, column: 3 });
  });

  it("a CRLF split across chunks is one line break", () => {
    const result = validateInPieces("a\r\n</AI>", [2]);
    expect(result.errors[0]).toMatchObject({ line: 2, column: 1 });
  });

  it("one character at a time gives the same result as the whole text", () => {
    const text = 'x\r\n😀<AI>"<AI_quoting_human>q</AI_quoting_human>" <ai>\r</AI></AI>\n<AI>';
    const cuts = Array.from({ length: text.length - 1 }, (_, k) => k + 1);
    expect(validateInPieces(text, cuts)).toEqual(validate(text));
  });

  it("any split gives the same result as the whole text (property)", () => {
    const alphabet = ["a", " ", "\n", "\r", "\r\n", "😀", "<", ">", "/", '"', "“", "”", "<AI>", "</AI>", "<AI_quoting_human>", "</AI_quoting_human>", "<ai>", "< AI>", "é"];
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...alphabet), { maxLength: 40 }).map((parts) => parts.join("")),
        fc.array(fc.nat(), { maxLength: 6 }),
        (text, cuts) => {
          const at = cuts.map((c) => (text.length === 0 ? 0 : c % (text.length + 1)));
          expect(validateInPieces(text, at)).toEqual(validate(text));
        },
      ),
      { numRuns: 500 },
    );
  });

  it("cannot be used after end()", () => {
    const validator = createValidator();
    validator.end();
    expect(() => validator.push("x")).toThrow();
  });
});

describe("robustness", () => {
  it("arbitrary strings never make the validator throw", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 200 }), fc.boolean(), (text, unalignedQuotes) => {
        const result = validate(text, { unalignedQuotes });
        expect(result.valid).toBe(result.errorCount === 0);
      }),
      { numRuns: 1000 },
    );
  });

  it("strings made of tag fragments never make it throw, whole or in pieces", () => {
    const fragment = fc.constantFrom("<", ">", "/", "AI", "_quoting_human", "_quoting_unaligned_AI", " ", "\r", "\n", "\uD83D", "\uDE00", "a", "<AI>", "</AI>");
    fc.assert(
      fc.property(fc.array(fragment, { maxLength: 60 }).map((p) => p.join("")), fc.array(fc.nat(), { maxLength: 4 }), (text, cuts) => {
        const at = cuts.map((c) => c % (text.length + 1));
        expect(validateInPieces(text, at, UNALIGNED)).toEqual(validate(text, UNALIGNED));
      }),
      { numRuns: 1000 },
    );
  });
});
