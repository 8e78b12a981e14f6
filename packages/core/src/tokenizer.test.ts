import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { createGenerationGuard, nextMode } from "./automaton.ts";
import { ALL_TAGS, type Mode, type Tag } from "./grammar.ts";
import { taggedText } from "./testing/arbitraries.ts";
import { RankTable } from "./rank-table.ts";
import { adoptRankTable, ENCODINGS, freeTokenizers, getTokenizer, shareRankTable, tagTokenIds } from "./tokenizer.ts";

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

describe.each(ENCODINGS)("encodeTagged under %s", (encoding) => {
  const tokenizer = getTokenizer(encoding, { unalignedQuotes: true });
  const tagOf = new Map(Object.entries(tokenizer.tagTokenIds).map(([tag, id]) => [id, tag as Tag]));

  /** Checks the ids against tiktoken's own `encode`, the modes against the automaton and the counts against `countTokens`. */
  function check(text: string): void {
    const encoded = tokenizer.encodeTagged(text);
    expect(encoded.ids).toEqual([...tokenizer.encode(text)]);
    expect(encoded.counts).toEqual(tokenizer.countTokens(text));
    let mode: Mode = "human";
    encoded.ids.forEach((id, k) => {
      const tag = tagOf.get(id);
      if (tag !== undefined) mode = nextMode(mode, tag, tokenizer.grammar)!;
      expect(encoded.modes[k]).toBe(mode);
    });
  }

  it("gives tiktoken's ids for every character of the fast path, in contexts that exercise each rule of the pattern", () => {
    const contexts = (c: string) => [
      `a${c}b`,
      `A${c}${c}a`,
      ` ${c}1 `,
      `${c}'s ${c}`,
      `x'${c} X'${c}${c}`,
      `\n${c} \r\n${c}\t `,
      `12${c}345 `,
      `  ${c}  x`,
      `${c}${c}${c}`,
      ` ${c}\n\n`,
    ];
    const mismatches: string[] = [];
    for (const [from, to] of [[0, 0x7ff], [0x2000, 0x206f]] as const) {
      for (let code = from; code <= to; code++) {
        for (const text of contexts(String.fromCodePoint(code))) {
          const fast = tokenizer.encodeTagged(text).ids;
          const reference = [...tokenizer.encode(text)];
          if (fast.join() !== reference.join()) mismatches.push(`U+${code.toString(16).padStart(4, "0")} in ${JSON.stringify(text)}`);
        }
      }
    }
    expect(mismatches).toEqual([]);
  });

  it("gives tiktoken's ids, modes that follow the automaton and countTokens' counts (property)", () => {
    const characters = [..."aZſ'’sStT 0123456789\t\n\r.,!?-—“”«»<>/_é\u0300\u00a0\u0085\u2028\ufeff😀中文ひらがな\u{1F3FD}"];
    const run = fc.array(fc.constantFrom(...characters), { maxLength: 24 }).map((parts) => parts.join(""));
    const text = fc.array(fc.oneof(run, fc.constantFrom("<AI>", "</AI>", "<AI_quoting_human>", "</AI_quoting_human>")), { maxLength: 10 });
    fc.assert(
      fc.property(taggedText(true), (tagged) => check(tagged)),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(text, (parts) => {
        // Keep only the tags that are legal where they fall, so that the text is valid.
        let mode: Mode = "human";
        let built = "";
        for (const part of parts) {
          const tag = tagOf.has(tokenizer.tagTokenIds[part as Tag] ?? -1) ? (part as Tag) : null;
          if (tag === null) built += part;
          else if (nextMode(mode, tag, tokenizer.grammar) !== null) {
            mode = nextMode(mode, tag, tokenizer.grammar)!;
            built += tag;
          }
        }
        while (mode !== "human") {
          const close = mode === "ai" ? "</AI>" : "</AI_quoting_human>";
          built += close;
          mode = nextMode(mode, close, tokenizer.grammar)!;
        }
        check(built);
      }),
      { numRuns: 500 },
    );
  });

  it("byte-pair encodes words that are not one token exactly as tiktoken does", () => {
    const words = ["antidisestablishmentarianism", "Zo3f2a9be1", "supercalifragilisticexpialidocious", "naïveté", "ſſſtuff", "déjà-vu'll", "Ωμέγα", "Привет", "שָׁלוֹם", "…——“quoted”"];
    for (const word of words) check(`${word} <AI>${word}${word}</AI> ${word.toUpperCase()}`);
  });

  it("encodes long texts the same way once their pieces are remembered", () => {
    const text = "The council said no. <AI>They said “<AI_quoting_human>we won't</AI_quoting_human>”, and I'd explain why.</AI>\r\n".repeat(200);
    check(text);
    check(text);
  });

  it("refuses an invalid text", () => {
    expect(() => tokenizer.encodeTagged("</AI>")).toThrow(/not valid/);
  });
});

describe("a rank table in shared memory", () => {
  /** The o200k_base table's tokens in rank order, as strings of byte codes, read here independently of the tokenizer. */
  const tokens = (() => {
    const file = JSON.parse(readFileSync(createRequire(import.meta.url).resolve("tiktoken/encoders/o200k_base.json"), "utf8")) as { bpe_ranks: string };
    return file.bpe_ranks.slice("! 0 ".length).split(" ").map((token) => atob(token));
  })();
  const ranks = new Map(tokens.map((token, rank) => [token, rank]));
  const table = RankTable.of(shareRankTable("o200k_base"));

  it("finds every token of the encoding at its rank", () => {
    expect(table.count).toBe(tokens.length);
    const wrong = tokens.filter((token, rank) => table.get(token) !== rank);
    expect(wrong).toEqual([]);
  });

  it("answers like a Map for any key, and for any part of one (property)", () => {
    // Short byte strings: many are tokens, many are not.
    const key = fc.array(fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0, max: 0xff })), { minLength: 1, maxLength: 8 }).map((codes) => String.fromCharCode(...codes));
    fc.assert(
      fc.property(key, fc.nat(), fc.nat(), (k, a, b) => {
        expect(table.get(k)).toBe(ranks.get(k));
        const start = a % k.length;
        const end = start + 1 + (b % (k.length - start));
        expect(table.get(k, start, end)).toBe(ranks.get(k.slice(start, end)));
      }),
      { numRuns: 5_000 },
    );
  });

  it("lets another thread tokenise with it instead of building its own, and refuses another encoding's", async () => {
    const text = "The council said no. <AI>They said “<AI_quoting_human>we won't</AI_quoting_human>”, and I'd explain why, antidisestablishmentarianism.</AI>";
    const worker = new Worker(
      `const { parentPort, workerData } = require("node:worker_threads");
      (async () => {
        (await import("tsx/esm/api")).register();
        const core = await import(workerData.module);
        core.adoptRankTable("o200k_base", workerData.buffer);
        let refusal = null;
        try { core.adoptRankTable("cl100k_base", workerData.buffer); } catch (error) { refusal = error.message; }
        const ids = core.getTokenizer("o200k_base").encodeTagged(workerData.text).ids;
        parentPort.postMessage({ ids, refusal, shared: core.shareRankTable("o200k_base") === workerData.buffer });
      })();`,
      { eval: true, workerData: { module: new URL("./tokenizer.ts", import.meta.url).href, buffer: shareRankTable("o200k_base"), text } },
    );
    const reply = await new Promise<{ ids: number[]; refusal: string | null; shared: boolean }>((resolve, reject) => {
      worker.once("message", resolve);
      worker.once("error", reject);
    });
    await worker.terminate();
    expect(reply.shared).toBe(true);
    expect(reply.ids).toEqual(getTokenizer("o200k_base").encodeTagged(text).ids);
    expect(reply.refusal).toMatch(/not the cl100k_base table/);
    expect(() => adoptRankTable("cl100k_base", shareRankTable("o200k_base"))).toThrow(/not the cl100k_base table/);
  });
});

describe("loading tiktoken", () => {
  /** Runs `steps` in a fresh process (this one has loaded tiktoken already); `seen()` records whether tiktoken is loaded by then. */
  const loadedAt = (steps: string): boolean[] => {
    const code = `
      const { createRequire } = await import("node:module");
      const { getTokenizer } = await import(${JSON.stringify(new URL("./tokenizer.ts", import.meta.url).href)});
      const tokenizer = getTokenizer("o200k_base");
      const loaded = [];
      const seen = () => loaded.push(Object.keys(createRequire(import.meta.url).cache).some((file) => file.includes("/node_modules/tiktoken/")));
      ${steps}
      console.log(JSON.stringify(loaded));
    `;
    const run = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], { encoding: "utf8" });
    expect(run.status, run.stderr).toBe(0);
    return JSON.parse(run.stdout) as boolean[];
  };

  it("waits until a text needs it: encodeTagged on the fast path never does", () => {
    const loaded = loadedAt(`
      seen();
      tokenizer.encodeTagged("The council said no. <AI>They said “<AI_quoting_human>we won't</AI_quoting_human>”, naïvely.</AI>");
      seen();
      tokenizer.encodeTagged("<AI>Привет, 世界</AI>");
      seen();
    `);
    expect(loaded).toEqual([false, false, true]);
  });
});
