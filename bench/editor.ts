/**
 * `editor.keystroke_p95` (with `editor.keystroke_p50` and `editor.keystroke_long_line_p95`) and
 * `editor.open`: the studio editor in Chromium on a 100,000-word document with 5,000 AI spans,
 * 1,000 quotes and 500 bad-behaviour marks, each beside a plain ProseMirror editor
 * (prosemirror-schema-basic, history, base keymap) holding the same words, measured in the same
 * run. The long-line case types at the end of one human line of 200 KB (with a few ordinary
 * lines around it), where any per-keystroke work that reads the whole line shows.
 *
 * The page (apps/web/src/editor/benchPage.ts: the editor's real plugins, keymap and guarded
 * dispatch, without the React chrome) is bundled by Vite into a temporary folder and served by
 * a small local HTTP server. Latency is from the keydown event's timestamp to just after the
 * next paint; Chromium runs without frame-rate limiting so that waiting for a vsync does not
 * dominate the figure. Open time is from receiving the document JSON to its first paint
 * (median of the rounds). Studio and plain alternate in rounds on one page, so that the load
 * of a shared machine falls on both alike.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { extname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Page } from "@playwright/test";
import { Transform } from "prosemirror-transform";
import { schema as basicSchema } from "prosemirror-schema-basic";
import { BAD_BEHAVIOUR_MARK, schema, textToDoc } from "@prealign/core";
import { percentile, type Benchmark, type BenchResult } from "./harness.ts";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "../e2e/chromium.ts";
// The page's `window.editorBench` type.
import "../apps/web/src/editor/benchContract.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const PAGE_SCRIPT = join(ROOT, "apps/web/src/editor/benchPage.ts");
const PARAGRAPHS = 1000;
/** Rounds of (studio, plain): alternating keeps the machine's changing load from favouring one. */
const ROUNDS = 6;
/** Keystrokes per round and place (human text, AI span); the first few warm up and are dropped. */
const KEYSTROKES = 24;
const WARM_UP = 4;
/**
 * How often (ms) to look for a keystroke's sample. On a timer, not Playwright's default of
 * polling in requestAnimationFrame: a poll's frame draws nothing, yet Chromium starts no new
 * frame until that one's deadline, a frame interval after it began, so the next keystroke
 * (pressed as soon as the poll sees the sample) would wait up to 16 ms for its paint, and the
 * figure would measure the poll rather than the editor.
 */
const SAMPLE_POLL_MS = 5;

const WORDS = "the a people said that would could time year way day man thing woman life child world school state family student group country problem hand part place case week company system program question work government number night point home water room mother area money story fact month lot right study book eye job word business issue side kind head house service friend father power hour game line end member law car city community name president team minute idea kid body information back parent face others level office door health person art war history party result change morning reason research girl guy moment air teacher force education".split(" ");

/** A deterministic pseudo-random word stream. */
function words(seed: number): () => string {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return WORDS[state % WORDS.length]!;
  };
}

/**
 * The benchmark text: 1,000 paragraphs of 100 words, each with five AI spans of 8 words
 * (12 human words before each), one of which quotes a human for 4 of its words.
 */
function benchmarkText(): string {
  const next = words(7);
  const run = (n: number) => Array.from({ length: n }, next).join(" ");
  const lines: string[] = [];
  for (let p = 0; p < PARAGRAPHS; p++) {
    let line = "";
    for (let s = 0; s < 5; s++) {
      const ai = s === 2 ? `${run(4)} "<AI_quoting_human>${run(4)}</AI_quoting_human>"` : run(8);
      line += `${run(12)} <AI>${ai}</AI> `;
    }
    lines.push(line.trimEnd());
  }
  return lines.join("\n");
}

/** Length of the long line, in characters (ASCII words, so also in bytes). */
const LONG_LINE_LENGTH = 200_000;
/** The long line's index among the lines of `longLineText`. */
const LONG_LINE_INDEX = 2;

/** Two ordinary lines, one human line of `LONG_LINE_LENGTH` characters, two more ordinary lines. */
function longLineText(): string {
  const next = words(11);
  const run = (n: number) => Array.from({ length: n }, next).join(" ");
  const ordinary = () => `${run(12)} <AI>${run(8)}</AI> ${run(12)}`;
  const long: string[] = [];
  for (let length = 0; length < LONG_LINE_LENGTH; ) {
    const word = next();
    long.push(word);
    length += word.length + 1;
  }
  return [ordinary(), ordinary(), long.join(" ").slice(0, LONG_LINE_LENGTH), ordinary(), ordinary()].join("\n");
}

/**
 * The studio document (as JSON): the text, plus a mark on every other line that has an AI span
 * (500 in the main text), each linked to the AI span after it.
 */
function studioJson(text: string): string {
  const parsed = textToDoc(text);
  if (!parsed.ok) throw new Error(`Benchmark text is invalid: ${parsed.errors[0]!.message}`);
  const tr = new Transform(parsed.doc);
  const markType = schema.marks[BAD_BEHAVIOUR_MARK]!;
  let pos = 0;
  parsed.doc.forEach((paragraph, offset, index) => {
    pos = offset;
    if (index % 2 !== 0 || paragraph.childCount < 2) return;
    const first = paragraph.firstChild!;
    const span = paragraph.child(1);
    tr.addMark(pos + 1 + 10, pos + 1 + Math.min(first.nodeSize, 40), markType.create({ id: `bb-${index}`, category: "deceit", commentary: span.attrs.id }));
  });
  return JSON.stringify(tr.doc.toJSON());
}

/** The plain document (as JSON): the same words, one paragraph per line, no tags. */
function plainJson(text: string): string {
  const paragraphs = text.split("\n").map((line) => basicSchema.node("paragraph", null, [basicSchema.text(line.replace(/<\/?AI(_quoting_human)?>/g, ""))]));
  return JSON.stringify(basicSchema.node("doc", null, paragraphs).toJSON());
}

/** Bundles the bench page into a fresh folder under .bench/ (inside the repository, so that packages resolve). */
async function buildPage(): Promise<string> {
  const { build } = await import("vite");
  mkdirSync(join(ROOT, ".bench"), { recursive: true });
  const dir = mkdtempSync(join(ROOT, ".bench", "editor-"));
  writeFileSync(join(dir, "index.html"), `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Editor benchmark</title></head><body><main><div id="editor"></div></main><script type="module" src="${relative(dir, PAGE_SCRIPT)}"></script></body></html>`);
  await build({ root: dir, configFile: false, logLevel: "warn", build: { outDir: join(dir, "dist"), emptyOutDir: true } });
  return dir;
}

const TYPES: Record<string, string> = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css" };

function serve(dir: string): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    const path = resolve(dir, "." + (request.url === "/" ? "/index.html" : request.url!.split("?")[0]));
    if (!path.startsWith(dir)) {
      response.writeHead(403).end();
      return;
    }
    try {
      const body = readFileSync(path);
      response.writeHead(200, { "content-type": TYPES[extname(path)] ?? "application/octet-stream" }).end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  return new Promise((done) => server.listen(0, "127.0.0.1", () => done({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}/`, server })));
}

/** A place to type: a paragraph's index and where in it (see `EditorBench.placeCursor`). */
type Place = readonly [index: number, where: "human" | "ai" | "end"];

/** Types at each of `places`, one key at a time, and returns the latencies. */
async function keystrokes(page: Page, places: readonly Place[]): Promise<number[]> {
  const all: number[] = [];
  for (const place of places) {
    await page.evaluate(([index, where]) => window.editorBench.placeCursor(index, where), place);
    await page.evaluate(() => window.editorBench.startMeasuring());
    for (let i = 0; i < KEYSTROKES; i++) {
      await page.keyboard.press(String.fromCharCode(97 + (i % 26)));
      await page.waitForFunction((n) => window.editorBench.samples().length >= n, i + 1, { polling: SAMPLE_POLL_MS });
    }
    all.push(...(await page.evaluate(() => window.editorBench.samples())).slice(WARM_UP));
  }
  return all;
}

/** In the main document: in human text, and inside an AI span (of two paragraphs in the middle). */
const MAIN_PLACES: readonly Place[] = [
  [PARAGRAPHS / 2, "human"],
  [PARAGRAPHS / 2 + 1, "ai"],
];
/** In the long-line document: at the end of the long line. */
const LONG_LINE_PLACES: readonly Place[] = [[LONG_LINE_INDEX, "end"]];

interface EditorFigures {
  keystroke: { studio: number[]; plain: number[] };
  longLine: { studio: number[]; plain: number[] };
  open: { studio: number[]; plain: number[] };
}

async function measure(): Promise<EditorFigures> {
  const text = benchmarkText();
  const long = longLineText();
  const documents = {
    main: { studio: studioJson(text), plain: plainJson(text) },
    long: { studio: studioJson(long), plain: plainJson(long) },
  };
  const dir = await buildPage();
  const { url, server } = await serve(join(dir, "dist"));
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    // Frames are not capped at the display rate, so latency is measured, not the refresh interval.
    args: [...CHROMIUM_ARGS, "--disable-frame-rate-limit", "--disable-gpu-vsync"],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(url);
    await page.waitForFunction(() => "editorBench" in window);
    const figures: EditorFigures = { keystroke: { studio: [], plain: [] }, longLine: { studio: [], plain: [] }, open: { studio: [], plain: [] } };
    for (let round = 0; round < ROUNDS; round++) {
      for (const kind of ["studio", "plain"] as const) {
        figures.open[kind].push(await page.evaluate(([k, j]) => window.editorBench.open(k, j), [kind, documents.main[kind]] as const));
        figures.keystroke[kind].push(...(await keystrokes(page, MAIN_PLACES)));
        await page.evaluate(([k, j]) => window.editorBench.open(k, j), [kind, documents.long[kind]] as const);
        figures.longLine[kind].push(...(await keystrokes(page, LONG_LINE_PLACES)));
      }
    }
    return figures;
  } finally {
    await browser.close();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

let figures: Promise<EditorFigures> | null = null;

/** Both benchmarks share one browser run. */
function measured(): Promise<EditorFigures> {
  figures ??= measure();
  return figures;
}

/** The editor benchmarks. */
export const benchmarks: Benchmark[] = [
  {
    name: "editor.keystroke_p95",
    run: async (): Promise<BenchResult[]> => {
      const { keystroke, longLine } = await measured();
      return [
        { name: "editor.keystroke_p95", value: percentile(keystroke.studio, 95), unit: "ms", baseline: percentile(keystroke.plain, 95) },
        { name: "editor.keystroke_p50", value: percentile(keystroke.studio, 50), unit: "ms", baseline: percentile(keystroke.plain, 50) },
        { name: "editor.keystroke_long_line_p95", value: percentile(longLine.studio, 95), unit: "ms", baseline: percentile(longLine.plain, 95) },
      ];
    },
  },
  {
    name: "editor.open",
    run: async (): Promise<BenchResult[]> => {
      const { open } = await measured();
      return [{ name: "editor.open", value: percentile(open.studio, 50), unit: "ms", baseline: percentile(open.plain, 50) }];
    },
  },
];
