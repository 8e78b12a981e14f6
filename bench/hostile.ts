/**
 * `hostile.save`: p99 latency of `/healthz` while another client saves the largest document the
 * limits allow, in a loop, beside the p99 of the same probe on the idle server measured in the
 * same run (issue 10: goal under 50 ms). Also `hostile.save_ms`, the median time of one such
 * save as its client sees it.
 *
 * The studio runs as `studio serve` in its own process on a temporary SQLite database, as in
 * production; the saving client sends the document as JSON text, as the web app does; the probe
 * runs on a worker thread of its own, so that the saving client's work cannot delay it. The
 * document reaches every limit at once (see `largestDocument`): 100,000 characters in 8,000
 * parts, 2,000 mark entries, ids of the longest length allowed, in paragraphs of human text
 * with overlapping bad-behaviour marks, AI spans with line breaks, and quotes.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { checkDocumentShape, DOCUMENT_LIMITS } from "@prealign/core";
import { now, percentile, type Benchmark, type BenchResult } from "./harness.ts";
import { BODY_LIMIT_MB } from "../apps/api/src/server.ts";

const STUDIO = fileURLToPath(new URL("../apps/api/bin/studio.js", import.meta.url));
const ADMIN = { email: "bench@example.org", password: "bench password for hostile.save" };
/** How long each phase (idle probe, probe under saves) runs. */
const PHASE_MS = 20_000;
/** Saves made before measuring, so that code loaded on first use is not counted as load. */
const WARM_UP_SAVES = 5;
/** The pause between two probes. */
const PROBE_INTERVAL_MS = 5;

/** A string of exactly `length` characters starting with `start`. */
function sized(start: string, length: number): string {
  return start.padEnd(length, ".").slice(0, length);
}

/**
 * The largest document the limits allow, as its JSON text: every limit reached at once (as
 * many parts as allowed, every mark entry allowed, five marks to a marked run, every character,
 * ids as long as allowed), so that its JSON is as large as a document can be. `variant`
 * changes its first character, so that saving the two variants in turn makes a new revision
 * every time.
 */
export function largestDocument(variant: number): string {
  const limits = DOCUMENT_LIMITS;
  const nodesPerParagraph = 10;
  const marksPerMarkedRun = 5;
  const paragraphCount = Math.floor((limits.nodes - 1) / nodesPerParagraph);
  const markedParagraphs = Math.floor(limits.markEntries / marksPerMarkedRun);
  // Characters per paragraph beyond the fixed `They said “` and `”.`, shared by four text runs.
  const free = Math.floor(limits.characters / paragraphCount) - 13;
  const [human, ai, quote] = [Math.floor(free * 0.35), Math.floor(free * 0.4), Math.floor(free * 0.1)];
  const after = free - human - ai - quote;
  const paragraphs = Array.from({ length: paragraphCount }, (_, p) => {
    const aiId = sized(`ai-${p}-`, limits.idLength);
    const marks =
      p < markedParagraphs
        ? Array.from({ length: marksPerMarkedRun }, (_, k) => ({ type: "bad_behaviour", attrs: { id: sized(`m-${p}-${k}-`, limits.idLength), category: "deceit", commentary: aiId } }))
        : undefined;
    return {
      type: "paragraph",
      attrs: { lineBreak: "\n" },
      content: [
        { type: "text", text: sized(`${p === 0 ? variant : ""}She said she would lie to them all`, human), ...(marks ? { marks } : {}) },
        {
          type: "ai",
          attrs: { id: aiId },
          content: [
            { type: "text", text: sized("That would be deceit: it breaks the trust everyone relies on", ai) },
            { type: "hard_break", attrs: { text: "\n" } },
            { type: "text", text: "They said “" },
            { type: "quote_human", content: [{ type: "text", text: sized("I will lie", quote) }] },
            { type: "text", text: "”." },
          ],
        },
        { type: "text", text: sized(" Then they left", after) },
      ],
    };
  });
  const doc = { type: "doc", content: paragraphs };
  checkDocumentShape(doc);
  return JSON.stringify(doc);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

async function startStudio(): Promise<{ url: string; process: ChildProcess; folder: string }> {
  const folder = mkdtempSync(join(tmpdir(), "studio-bench-hostile-"));
  const port = await freePort();
  const child = spawn(process.execPath, [STUDIO, "serve", "--port", String(port)], {
    env: { ...process.env, DATABASE_URL: `file:${join(folder, "studio.db")}`, HOST: "127.0.0.1", LOG_LEVEL: "warn", STUDIO_ADMIN_EMAIL: ADMIN.email, STUDIO_ADMIN_PASSWORD: ADMIN.password },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 300; attempt++) {
    if (child.exitCode !== null) throw new Error(`studio serve exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return { url, process: child, folder };
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill();
  throw new Error("studio serve did not answer /healthz within 30 s");
}

/** Calls a procedure as the web app does; returns the response text (the caller picks what it needs). */
async function call(url: string, path: string, cookie: string, body: string | null): Promise<string> {
  const response = await fetch(`${url}/trpc/${path}`, {
    method: body === null ? "GET" : "POST",
    headers: { "content-type": "application/json", "x-studio-csrf": "1", cookie },
    ...(body === null ? {} : { body }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${path} answered ${response.status}: ${text.slice(0, 300)}`);
  return text;
}

/** The probe, run on its own thread: GET /healthz every few ms until told to stop; posts the latencies. */
const PROBE = `
const { parentPort, workerData } = require("node:worker_threads");
let running = true;
parentPort.on("message", () => { running = false; });
(async () => {
  const samples = [];
  while (running) {
    const started = performance.now();
    const response = await fetch(workerData.url + "/healthz");
    await response.arrayBuffer();
    if (!response.ok) throw new Error("healthz answered " + response.status);
    samples.push(performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, workerData.interval));
  }
  parentPort.postMessage(samples);
})();
`;

async function probeWhile(url: string, work: (stop: () => boolean) => Promise<void>): Promise<number[]> {
  const probe = new Worker(PROBE, { eval: true, workerData: { url, interval: PROBE_INTERVAL_MS } });
  const samples = new Promise<number[]>((resolve, reject) => {
    probe.once("message", resolve);
    probe.once("error", reject);
  });
  const until = now() + PHASE_MS;
  await work(() => now() >= until);
  probe.postMessage("stop");
  const result = await samples;
  await probe.terminate();
  return result;
}

async function measure(): Promise<BenchResult[]> {
  const studio = await startStudio();
  try {
    const login = await fetch(`${studio.url}/trpc/auth.login`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-studio-csrf": "1" },
      body: JSON.stringify(ADMIN),
    });
    const cookie = login.headers.getSetCookie()[0]!.split(";")[0]!;
    await call(studio.url, "projects.create", cookie, JSON.stringify({ slug: "hostile", name: "Hostile input" }));
    const created = JSON.parse(await call(studio.url, "examples.create", cookie, JSON.stringify({ projectSlug: "hostile" }))) as { result: { data: { id: string } } };
    const exampleId = created.result.data.id;
    const example = JSON.parse(await call(studio.url, `examples.get?input=${encodeURIComponent(JSON.stringify({ exampleId }))}`, cookie, null)) as {
      result: { data: { head: { id: string } } };
    };
    let head = example.result.data.head.id;
    // Two documents at the limits, saved in turn so that every save is a new revision.
    const documents = [0, 1].map((variant) => JSON.stringify(largestDocument(variant)));
    const bodyBytes = Buffer.byteLength(documents[0]!) + 200;
    if (bodyBytes > BODY_LIMIT_MB * 1024 * 1024) throw new Error(`the largest document's save (${bodyBytes} bytes) does not fit the body limit`);

    const saveNext = async (i: number): Promise<void> => {
      const answer = await call(studio.url, "examples.save", cookie, `{"exampleId":"${exampleId}","baseRevisionId":"${head}","doc":${documents[i % 2]}}`);
      head = /"id":"([^"]+)"/.exec(answer.slice(0, 500))![1]!;
    };
    for (let i = 0; i < WARM_UP_SAVES; i++) await saveNext(i);

    const idle = await probeWhile(studio.url, async (stop) => {
      while (!stop()) await new Promise((resolve) => setTimeout(resolve, 50));
    });
    const saveTimes: number[] = [];
    const loaded = await probeWhile(studio.url, async (stop) => {
      for (let i = 0; !stop(); i++) {
        const started = now();
        await saveNext(i);
        saveTimes.push(now() - started);
      }
    });
    return [
      { name: "hostile.save", value: percentile(loaded, 99), unit: "ms (p99 /healthz while saving)", baseline: percentile(idle, 99) },
      { name: "hostile.save_ms", value: percentile(saveTimes, 50), unit: `ms (median save of ${(bodyBytes / 1e6).toFixed(1)} MB, ${saveTimes.length} saves)` },
    ];
  } finally {
    studio.process.kill();
    rmSync(studio.folder, { recursive: true, force: true });
  }
}

export const benchmarks: Benchmark[] = [{ name: "hostile.save", run: measure }];
