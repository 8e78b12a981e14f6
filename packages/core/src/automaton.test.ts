import { describe, expect, it } from "vitest";
import { allowedTagTokens, createGenerationGuard, decodingAutomaton, maskLogits, nextMode, type TagTokenIds } from "./automaton.ts";
import { grammar } from "./grammar.ts";
import { modeSpans } from "./spans.ts";
import { validate } from "./validator.ts";
import { seededRandom } from "./testing/random.ts";

const IDS: TagTokenIds = { "<AI>": 20, "</AI>": 21, "<AI_quoting_human>": 22, "</AI_quoting_human>": 23, "<AI_quoting_unaligned_AI>": 24, "</AI_quoting_unaligned_AI>": 25 };
const END_OF_TEXT = 19;

/**
 * A toy vocabulary full of traps: pieces that spell tags when put together ("<", "AI", ">",
 * "</", "AI>", "_quoting_human>"), near misses, line breaks, and a multi-byte character split
 * over two tokens.
 */
const TEXT_TOKENS = ["a", " b", "<", ">", "AI", "</", "AI>", "<AI", "_quoting_human>", "<ai>", "\n", "\r\n", '"', "“", "\xF0\x9F", "\x98\x80", "/", "I", "<AI_quoting_unaligned_AI>"];
const encoder = new TextEncoder();
function tokenBytes(id: number): Uint8Array | null {
  const text = TEXT_TOKENS[id];
  if (text === undefined) return null;
  // Tokens 14 and 15 are the two halves of "😀" in UTF-8 (bytes given as latin1 escapes).
  return id === 14 || id === 15 ? Uint8Array.from(text, (c) => c.charCodeAt(0)) : encoder.encode(text);
}
const VOCABULARY = 26;
const TAG_BY_ID = new Map(Object.entries(IDS).map(([tag, id]) => [id, tag]));

/** Samples from softmax(logits). */
function sample(logits: Float64Array, next: () => number): number {
  const weights = logits.map((l) => Math.exp(l));
  let r = next() * weights.reduce((a, b) => a + b, 0);
  for (let id = 0; id < weights.length; id++) {
    r -= weights[id]!;
    if (r <= 0 && weights[id]! > 0) return id;
  }
  return weights.findLastIndex((w) => w > 0);
}

describe("decodingAutomaton (grammar.json)", () => {
  it("is derived from the grammar table", () => {
    expect(decodingAutomaton(grammar(), { tokenizer: "o200k_base", tagTokenIds: { "<AI>": 1, "</AI>": 2 } })).toEqual({
      grammarVersion: 1,
      options: { unalignedQuotes: false },
      modes: ["human", "ai", "ai_quoting_human"],
      tags: ["<AI>", "</AI>", "<AI_quoting_human>", "</AI_quoting_human>"],
      transitions: grammar().transitions,
      initial: "human",
      final: "human",
      start: "ai",
      startTag: "<AI>",
      stop: "</AI>",
      tokenizer: "o200k_base",
      tagTokenIds: { "<AI>": 1, "</AI>": 2 },
    });
  });

  it("survives JSON", () => {
    const automaton = decodingAutomaton(grammar({ unalignedQuotes: true }));
    expect(JSON.parse(JSON.stringify(automaton))).toEqual(automaton);
  });
});

describe("reference functions", () => {
  it("allowedTagTokens lists the legal tags of each mode", () => {
    expect(allowedTagTokens("ai", IDS).sort()).toEqual([21, 22]);
    expect(allowedTagTokens("ai_quoting_human", IDS)).toEqual([23]);
    expect(allowedTagTokens("human", IDS)).toEqual([]);
    expect(allowedTagTokens("ai", IDS, grammar({ unalignedQuotes: true })).sort()).toEqual([21, 22, 24]);
  });

  it("maskLogits forbids illegal tags and blocked tokens, and leaves text alone", () => {
    const logits = maskLogits(new Float64Array(VOCABULARY).fill(1), "ai_quoting_human", IDS, { blockedTokenIds: [END_OF_TEXT] });
    expect([...logits.entries()].filter(([, l]) => l === -Infinity).map(([id]) => id)).toEqual([19, 20, 21, 22, 24, 25]);
    expect(logits[0]).toBe(1);
  });

  it("maskLogits refuses to run after the stop tag", () => {
    expect(() => maskLogits([0], "human", IDS)).toThrow(RangeError);
  });

  it("nextMode follows the table", () => {
    expect(nextMode("ai", "</AI>")).toBe("human");
    expect(nextMode("ai_quoting_human", "</AI>")).toBeNull();
  });
});

describe("generation under the mask", () => {
  it.each([
    [false, 10_000],
    [true, 2_000],
  ])("random generations are all valid and never contain human-mode text (unaligned quotes %s, %i runs)", (unalignedQuotes, runs) => {
    const g = grammar({ unalignedQuotes });
    const next = seededRandom(unalignedQuotes ? 2 : 1);
    let quotes = 0;
    let spelledTraps = 0;
    let steps = 0;
    for (let run = 0; run < runs; run++) {
      const guard = createGenerationGuard({ tagTokenIds: IDS, grammar: g, tokenBytes, vocabularySize: VOCABULARY, blockedTokenIds: [END_OF_TEXT] });
      const bytes: number[] = [...encoder.encode("<AI>")];
      while (!guard.done) {
        const logits = new Float64Array(VOCABULARY);
        for (let id = 0; id < VOCABULARY; id++) logits[id] = next() * 4;
        const id = sample(guard.mask(logits), next);
        steps++;
        guard.accept(id);
        const tag = TAG_BY_ID.get(id);
        if (tag === "<AI_quoting_human>" || tag === "<AI_quoting_unaligned_AI>") quotes++;
        if (id === 6 || id === 8) spelledTraps++;
        bytes.push(...(tag ? encoder.encode(tag) : tokenBytes(id)!));
      }
      const output = new TextDecoder().decode(Uint8Array.from(bytes));
      const result = validate(output, { unalignedQuotes });
      expect(result.errors, output).toEqual([]);
      expect(output.endsWith("</AI>")).toBe(true);
      expect(modeSpans(output, { unalignedQuotes }).filter((s) => s.mode === "human"), output).toEqual([]);
    }
    // The runs must really have exercised quotes and the tag-spelling traps.
    expect(quotes).toBeGreaterThan(runs / 10);
    expect(spelledTraps).toBeGreaterThan(runs / 10);
    expect(steps).toBeGreaterThan(runs * 5);
  });

  it("masks text tokens that would spell out a tag", () => {
    const guard = createGenerationGuard({ tagTokenIds: IDS, tokenBytes, vocabularySize: VOCABULARY });
    guard.accept(5); // "</"
    const logits = guard.mask(new Float64Array(VOCABULARY));
    expect(logits[6]).toBe(-Infinity); // "AI>" would make "</AI>" out of text
    expect(logits[3]).toBe(0); // ">" makes "</>", which is harmless
    expect(() => guard.accept(6)).toThrow(RangeError);
  });

  it("refuses illegal tags and anything after the stop tag", () => {
    const guard = createGenerationGuard({ tagTokenIds: IDS, tokenBytes, vocabularySize: VOCABULARY });
    expect(() => guard.accept(20)).toThrow(RangeError);
    guard.accept(21);
    expect(guard.done).toBe(true);
    expect(() => guard.accept(0)).toThrow(RangeError);
  });
});
