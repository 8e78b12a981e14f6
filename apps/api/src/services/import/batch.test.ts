/**
 * The packing of a batch's examples between the threads of an import (batch.ts): what the
 * writer unpacks is what the worker prepared, in the form the writer stores it, with the long
 * text fields as strings or as UTF-8 bytes.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { packExamples, unpackExamples, type StoredExample } from "./batch.ts";
import type { PreparedExample } from "./parse.ts";

/** An example as the writer stores it: metadata and grader flags as JSON text. */
function stored(example: PreparedExample): StoredExample<string> {
  const { grader, metadata, ...rest } = example;
  return {
    ...rest,
    grader: grader === null ? null : { name: grader.name, score: grader.score, flags: JSON.stringify(grader.flags) },
    metadata: metadata === null ? null : JSON.stringify(metadata),
  };
}

const nullable = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: null });

/** Prepared examples with any text: astral and non-Latin-1 characters, empty strings, nulls where allowed. */
const examples = fc.array(
  fc.record({
    line: fc.nat(),
    text: fc.string({ unit: "grapheme" }),
    doc: fc.string({ unit: "binary" }),
    excerpt: fc.string({ unit: "grapheme-ascii" }),
    digest: fc.stringMatching(/^[0-9a-f]{64}$/),
    source: nullable(fc.string()),
    sourceId: nullable(fc.string({ unit: "grapheme", minLength: 1 })),
    scenario: nullable(fc.string({ minLength: 1 })),
    grader: nullable(
      fc.record({
        name: fc.string(),
        score: nullable(fc.double({ noNaN: true })),
        flags: fc.array(fc.record({ start: fc.nat(), end: fc.nat(), category: fc.string(), severity: fc.constantFrom("minor", "major"), comment: fc.string() })),
      }),
    ),
    metadata: nullable(fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer(), fc.boolean()))),
  }) as fc.Arbitrary<PreparedExample>,
  { maxLength: 20 },
);

describe("packExamples and unpackExamples", () => {
  it("give back every example as the writer stores it, its long text fields as strings or as their UTF-8 bytes", () => {
    fc.assert(
      fc.property(examples, (prepared) => {
        const expected = prepared.map(stored);
        expect(unpackExamples(packExamples(prepared), "strings")).toEqual(expected);
        const asBytes = unpackExamples(packExamples(prepared), "bytes");
        const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
        const decoded = asBytes.map((example) => ({
          ...example,
          text: decoder.decode(example.text),
          doc: decoder.decode(example.doc),
          excerpt: decoder.decode(example.excerpt),
        }));
        expect(decoded).toEqual(expected);
      }),
    );
  });

  it("packs into a buffer of its own, which can be transferred to another thread", () => {
    const packed = packExamples([
      { line: 1, text: "Hi 😀 <AI>Zürich</AI>", doc: "{}", excerpt: "Hi 😀", digest: "0".repeat(64), source: null, sourceId: "a", scenario: null, grader: null, metadata: null },
    ]);
    expect(packed.byteOffset).toBe(0);
    expect(packed.byteLength).toBe(packed.buffer.byteLength);
    const { port1, port2 } = new MessageChannel();
    port1.postMessage(packed, [packed.buffer as ArrayBuffer]);
    expect(packed.byteLength).toBe(0);
    port1.close();
    port2.close();
  });

  it("keeps a text that starts with U+FEFF whole, as strings and as bytes", () => {
    const example = { line: 1, text: "\uFEFFHi <AI>there</AI>", doc: "{}", excerpt: "\uFEFFHi", digest: "0".repeat(64), source: null, sourceId: null, scenario: null, grader: null, metadata: null };
    const [asStrings] = unpackExamples(packExamples([example]), "strings");
    expect([asStrings!.text, asStrings!.excerpt]).toEqual([example.text, example.excerpt]);
    const [asBytes] = unpackExamples(packExamples([example]), "bytes");
    expect([...asBytes!.text.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  });

  it("reads a packed batch that is a view into a larger buffer", () => {
    const packed = packExamples([{ line: 7, text: "Zürich 😀", doc: "{}", excerpt: "Zürich", digest: "0".repeat(64), source: "s", sourceId: "x", scenario: null, grader: null, metadata: null }]);
    const larger = new Uint8Array(packed.byteLength + 13);
    larger.set(packed, 5);
    const [example] = unpackExamples(larger.subarray(5, 5 + packed.byteLength), "strings");
    expect(example).toMatchObject({ line: 7, text: "Zürich 😀", excerpt: "Zürich", sourceId: "x" });
  });

  it("writes a lone surrogate as U+FFFD in the bytes, as SQLite's drivers do when they bind such a string", () => {
    const packed = packExamples([{ line: 1, text: "a\uD800b", doc: "{}", excerpt: "a", digest: "0".repeat(64), source: null, sourceId: null, scenario: null, grader: null, metadata: null }]);
    const [example] = unpackExamples(packed, "bytes");
    expect(new TextDecoder("utf-8", { fatal: true }).decode(example!.text)).toBe("a\uFFFDb");
  });
});
