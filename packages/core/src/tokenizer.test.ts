import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { createGenerationGuard } from "./automaton.ts";
import { ALL_TAGS } from "./grammar.ts";
import { taggedText } from "./testing/arbitraries.ts";
import { ENCODINGS, freeTokenizers, getTokenizer, tagTokenIds } from "./tokenizer.ts";

afterAll(() => freeTokenizers());

describe.each(ENCODINGS)("%s", (encoding) => {
  const tokenizer = getTokenizer(encoding, { unalignedQuotes: true });
  const ids = Object.values(tokenizer.tagTokenIds);

  it("each tag encodes to exactly one id and decodes back", () => {
    for (const tag of ALL_TAGS) {
      const encoded = [...tokenizer.encode(tag)];
      expect(encoded).toEqual([tokenizer.tagTokenIds[tag]]);
      expect(tokenizer.decode(encoded)).toBe(tag);
    }
  });

  it("tag ids are fixed, right after the encoding's own ids", () => {
    const base = encoding === "o200k_base" ? 200019 : 100277;
    expect(ALL_TAGS.map((tag) => tokenizer.tagTokenIds[tag])).toEqual([0, 1, 2, 3, 4, 5].map((k) => base + k));
    expect(Math.max(...tokenizer.otherSpecialTokenIds)).toBe(base - 1);
    expect(tokenizer.vocabularySize).toBe(base + 6);
  });

  it.each(["<ai>", "< AI>", "</AI >", "<Ai>", "</ ai>", "<AI_quoting_Human>", "<AI", "AI>", "<|endoftext|>"])("%j never produces a tag id", (nearMiss) => {
    const encoded = [...tokenizer.encode(`x ${nearMiss} y`)];
    expect(encoded.filter((id) => ids.includes(id) || tokenizer.otherSpecialTokenIds.includes(id))).toEqual([]);
    expect(tokenizer.decode(encoded)).toBe(`x ${nearMiss} y`);
  });

  it("tags inside text are single tokens; the text around them is ordinary", () => {
    const encoded = [...tokenizer.encode("Hi<AI>yes</AI>")];
    expect(encoded.filter((id) => ids.includes(id))).toEqual([tokenizer.tagTokenIds["<AI>"], tokenizer.tagTokenIds["</AI>"]]);
    expect(encoded.length).toBeGreaterThan(3);
  });

  it("counts tokens per mode, adding up to the whole encoding (property)", () => {
    fc.assert(
      fc.property(taggedText(true), (text) => {
        const counts = tokenizer.countTokens(text);
        expect(counts.total).toBe(tokenizer.encode(text).length);
        expect(tokenizer.decode(tokenizer.encode(text))).toBe(new TextDecoder().decode(new TextEncoder().encode(text)));
      }),
      { numRuns: 200 },
    );
  });

  it("text tokens expose their bytes; special ids have none", () => {
    expect(new TextDecoder().decode(tokenizer.tokenBytes(tokenizer.encode("hello")[0]!)!)).toBe("hello");
    expect(tokenizer.tokenBytes(tokenizer.tagTokenIds["<AI>"]!)).toBeNull();
    expect(tokenizer.tokenBytes(tokenizer.otherSpecialTokenIds[0]!)).toBeNull();
    // The unused id just before the encoding's own special tokens.
    expect(tokenizer.tokenBytes(Math.min(...tokenizer.otherSpecialTokenIds) - 1)).toBeNull();
    expect(tokenizer.tokenBytes(Math.min(...tokenizer.otherSpecialTokenIds) - 2)).not.toBeNull();
  });
});

describe("per-mode counts", () => {
  const tokenizer = getTokenizer();

  it("attribute each run to its mode", () => {
    const counts = tokenizer.countTokens('Hello there. <AI>I see. "<AI_quoting_human>Hi</AI_quoting_human>"</AI>');
    expect(counts.tags).toBe(4);
    expect(counts.byMode.human).toBe(tokenizer.encode("Hello there. ").length);
    expect(counts.byMode.ai_quoting_human).toBe(tokenizer.encode("Hi").length);
    expect(counts.byMode.ai).toBe(tokenizer.encode("I see. \"").length + tokenizer.encode('"').length);
  });

  it("where the unaligned pair is off, its strings are text", () => {
    const text = "<AI_quoting_unaligned_AI>";
    expect([...tokenizer.encode(text)]).not.toContain(200023);
    expect(tokenizer.countTokens(text).tags).toBe(0);
    expect(tagTokenIds("o200k_base")).toEqual({ "<AI>": 200019, "</AI>": 200020, "<AI_quoting_human>": 200021, "</AI_quoting_human>": 200022 });
  });

  it("refuses an invalid text", () => {
    expect(() => tokenizer.countTokens("<AI>")).toThrow(/not valid/);
  });
});

describe("generation with the real vocabulary", () => {
  it("the guard forbids o200k text tokens that would spell a tag", () => {
    const tokenizer = getTokenizer();
    const guard = createGenerationGuard({
      tagTokenIds: tokenizer.tagTokenIds,
      tokenBytes: tokenizer.tokenBytes,
      vocabularySize: tokenizer.vocabularySize,
      blockedTokenIds: tokenizer.otherSpecialTokenIds,
    });
    // "</AI" is ordinary text (some tokens); a following ">" would make it read as the tag.
    for (const id of tokenizer.encode("I said </AI")) guard.accept(id);
    const [close] = tokenizer.encode(">");
    const logits = guard.mask(new Float32Array(tokenizer.vocabularySize));
    expect(logits[close!]).toBe(-Infinity);
    expect(logits[tokenizer.encode(">>")[0]!]).toBe(-Infinity);
    expect(logits[tokenizer.encode(" ok")[0]!]).toBe(0);
    expect(logits[tokenizer.tagTokenIds["</AI>"]!]).toBe(0);
    expect(logits[tokenizer.otherSpecialTokenIds[0]!]).toBe(-Infinity);
  });
});
