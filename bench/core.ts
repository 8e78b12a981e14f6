/**
 * Benchmarks of the tagged-text core (issue 3):
 *
 * - `validator.throughput`: MB/s (UTF-8 megabytes) validating a generated corpus of ≥ 50 MB of
 *   example texts one by one with all lints on, beside a baseline that only scans the same texts
 *   for `<` with `indexOf`, measured in the same run. Goal: at least half the baseline's speed.
 *   The corpus is written like the studio's data: human narration, AI spans of one to three
 *   sentences, quotes of humans in curly quotation marks, CRLF and LF lines, some non-ASCII
 *   letters and emoji, an occasional near miss; about one tag every 100 characters.
 * - `codec.roundtrip`: milliseconds for text → document → text of a 100,000-word text with
 *   5,000 AI spans (1,000 of them holding a quote), median of 15 runs. Goal: under 50 ms.
 * - `tokenizer.throughput`: tokens per second counting o200k_base tokens per mode (what an
 *   export does per record), beside a baseline that only encodes the same texts whole.
 *
 * Each measurement takes the best (throughputs) or the median (times) of several runs after a
 * warm-up, so that one-off costs such as flattening freshly built strings are not counted.
 */
import { docToText, textToDoc, validate } from "@prealign/core";
import { freeTokenizers, getTokenizer } from "@prealign/core/tokenizer";
import type { Benchmark } from "./harness.ts";
import { now } from "./harness.ts";
import { seededRandom } from "../packages/core/src/testing/random.ts";

const WORDS = (
  "the a people said that it would rain tomorrow and nobody believed them because weather is hard to predict " +
  "she asked whether I could help her write a letter to the council about the noise from the factory next door " +
  "he wanted to know how to get into his neighbour's account without being noticed naïve café déjà vu Zürich " +
  "I think we should consider what everyone affected would want before deciding anything about this plan"
).split(" ");

function pick<T>(items: readonly T[], next: () => number): T {
  return items[Math.floor(next() * items.length)]!;
}

function sentence(next: () => number): string {
  const length = 6 + Math.floor(next() * 18);
  const words: string[] = [];
  for (let k = 0; k < length; k++) words.push(pick(WORDS, next));
  const first = words[0]!;
  words[0] = first[0]!.toUpperCase() + first.slice(1);
  return words.join(" ") + (next() < 0.02 ? " 😀" : "") + ".";
}

/** One example: a few paragraphs of narration with AI spans and quotes. */
function example(next: () => number): string {
  const lineBreak = next() < 0.2 ? "\r\n" : "\n";
  const paragraphs: string[] = [];
  const count = 2 + Math.floor(next() * 6);
  for (let p = 0; p < count; p++) {
    let paragraph = "";
    const sentences = 1 + Math.floor(next() * 4);
    for (let s = 0; s < sentences; s++) {
      if (next() < 0.45) {
        let span = sentence(next);
        if (next() < 0.3) span += ` They said “<AI_quoting_human>${sentence(next)}</AI_quoting_human>”`;
        if (next() < 0.4) span += " " + sentence(next);
        paragraph += `<AI>${span}</AI> `;
      } else {
        paragraph += sentence(next) + (next() < 0.01 ? " <ai> " : " ");
      }
    }
    paragraphs.push(paragraph);
  }
  return paragraphs.join(lineBreak);
}

/** Example texts of at least `bytes` UTF-8 bytes in total. */
function corpus(bytes: number, seed: number): { texts: string[]; bytes: number } {
  const next = seededRandom(seed);
  const encoder = new TextEncoder();
  const texts: string[] = [];
  let total = 0;
  while (total < bytes) {
    const text = example(next);
    texts.push(text);
    total += encoder.encode(text).length;
  }
  return { texts, bytes: total };
}

/** The best of `runs` timings of `work`, in milliseconds. */
function best(runs: number, work: () => void): number {
  let fastest = Infinity;
  for (let run = 0; run < runs; run++) {
    const start = now();
    work();
    fastest = Math.min(fastest, now() - start);
  }
  return fastest;
}

/** The median of `runs` timings of `work`, in milliseconds. */
function median(runs: number, work: () => void): number {
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    const start = now();
    work();
    times.push(now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

const validatorThroughput: Benchmark = {
  name: "validator.throughput",
  run: async () => {
    const { texts, bytes } = corpus(50_000_000, 1);
    let sink = 0;
    const scan = () => {
      for (const text of texts) for (let i = text.indexOf("<"); i !== -1; i = text.indexOf("<", i + 1)) sink++;
    };
    const check = () => {
      for (const text of texts) if (!validate(text).valid) throw new Error("the benchmark corpus must be valid");
    };
    // Warm both up (and flatten every string) before measuring.
    scan();
    check();
    const baseline = best(5, scan);
    const validator = best(5, check);
    if (sink === 0) throw new Error("the corpus has no tags");
    const megabytes = bytes / 1e6;
    return [{ name: "validator.throughput", value: megabytes / (validator / 1000), unit: "MB/s", baseline: megabytes / (baseline / 1000) }];
  },
};

/** A text of exactly `words` words with `spans` AI spans, one in five holding a quote. */
function longText(words: number, spans: number): string {
  const next = seededRandom(2);
  const perSpan = words / spans;
  const parts: string[] = [];
  let written = 0;
  for (let span = 0; span < spans; span++) {
    const human = Math.floor(perSpan / 2);
    const ai = perSpan - human;
    const wordsOf = (n: number) => Array.from({ length: n }, () => pick(WORDS, next)).join(" ");
    parts.push(wordsOf(human) + (span % 7 === 0 ? "\r\n" : span % 3 === 0 ? "\n" : " "));
    parts.push(span % 5 === 0 ? `<AI>${wordsOf(ai - 2)} “<AI_quoting_human>${wordsOf(2)}</AI_quoting_human>”</AI> ` : `<AI>${wordsOf(ai)}</AI> `);
    written += perSpan;
  }
  if (written !== words) throw new Error("words must be a multiple of spans");
  return parts.join("");
}

const codecRoundTrip: Benchmark = {
  name: "codec.roundtrip",
  run: async () => {
    const text = longText(100_000, 5_000);
    const roundTrip = () => {
      const result = textToDoc(text);
      if (!result.ok || docToText(result.doc) !== text) throw new Error("the round trip must be exact");
    };
    for (let warm = 0; warm < 5; warm++) roundTrip();
    return [{ name: "codec.roundtrip", value: median(15, roundTrip), unit: "ms" }];
  },
};

const tokenizerThroughput: Benchmark = {
  name: "tokenizer.throughput",
  run: async () => {
    const { texts } = corpus(5_000_000, 3);
    const tokenizer = getTokenizer("o200k_base");
    let tokens = 0;
    for (const text of texts) tokens += tokenizer.countTokens(text).total;
    const count = () => {
      for (const text of texts) tokenizer.countTokens(text);
    };
    const encode = () => {
      for (const text of texts) tokenizer.encode(text);
    };
    const counted = best(3, count);
    const encoded = best(3, encode);
    freeTokenizers();
    return [{ name: "tokenizer.throughput", value: tokens / (counted / 1000), unit: "tokens/s", baseline: tokens / (encoded / 1000) }];
  },
};

/** The core's benchmarks, registered in `bench/run.ts`. */
export const benchmarks: Benchmark[] = [validatorThroughput, codecRoundTrip, tokenizerThroughput];
