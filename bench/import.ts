/**
 * Benchmark of importing candidate examples (issue 8):
 *
 * - `import.throughput`: examples per second (and, on a second line, MB/s of the file) importing
 *   1,000,000 synthetic lines of about 1 KB into a project of a temporary SQLite database,
 *   migrated as in production, through `importFile` run as a job (what `studio import` does):
 *   every line read and checked with the core on worker threads, its editor document built,
 *   stored in batches, then given its stage. Goal: at least 20,000 examples/s. Beside it, a
 *   baseline measured in the same run on the same file: reading it and `JSON.parse` of every
 *   line, nothing else.
 *
 * The lines look like a model-written pipeline's: an id, a source, one of 100 scenario keys, a
 * few metadata fields, and a text of human narration around an AI span (one in five with a
 * quote of a human); one line in four carries a commented bad-behaviour mark and one in three a
 * grader's score with a suggested flag. `IMPORT_BENCH_LINES` sets another number of lines for a
 * quick run. Timings of the phases, the CPU time per example (all threads: a figure that does not
 * depend on what else the machine runs) and the peak RSS go to stderr.
 */
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { once } from "node:events";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { codePointLength } from "@prealign/core";
import { seededRandom } from "../packages/core/src/testing/random.ts";
import { createDb, type Db } from "../apps/api/src/db/database.ts";
import { migrateDatabase } from "../apps/api/src/db/migrate.ts";
import { importFile } from "../apps/api/src/services/import/importer.ts";
import { runJob, startJob } from "../apps/api/src/services/jobs.ts";
import { createProject } from "../apps/api/src/services/projects.ts";
import { now, type Benchmark } from "./harness.ts";

/** Lines imported; `IMPORT_BENCH_LINES` overrides it for a quick run. */
const LINES = Number(process.env.IMPORT_BENCH_LINES ?? 1_000_000);

const WORDS = (
  "the a people said that it would rain tomorrow and nobody believed them because weather is hard to predict " +
  "she asked whether I could help her write a letter to the council about the noise from the factory next door " +
  "he wanted to know how to get into his neighbour's account without being noticed naïve café déjà vu Zürich " +
  "I think we should consider what everyone affected would want before deciding anything about this plan"
).split(" ");

/** Nanoseconds (as `monitorEventLoopDelay` measures) in milliseconds, to one decimal. */
function ms(nanoseconds: number): string {
  return (nanoseconds / 1e6).toFixed(1);
}

function log(message: string): void {
  process.stderr.write(`import: ${message}\n`);
}

function pick<T>(items: readonly T[], next: () => number): T {
  return items[Math.floor(next() * items.length)]!;
}

function sentences(next: () => number, count: number): string {
  const out: string[] = [];
  for (let s = 0; s < count; s++) {
    const length = 8 + Math.floor(next() * 12);
    const words = Array.from({ length }, () => pick(WORDS, next));
    words[0] = words[0]![0]!.toUpperCase() + words[0]!.slice(1);
    out.push(words.join(" ") + (next() < 0.05 ? " 😀" : "") + ".");
  }
  return out.join(" ");
}

/** One import line of about 1 KB, as a pipeline would write it. */
function importLine(index: number, next: () => number): string {
  const before = sentences(next, 2);
  let commentary = sentences(next, 2);
  if (next() < 0.2) commentary += ` They said “<AI_quoting_human>${sentences(next, 1)}</AI_quoting_human>”.`;
  const after = sentences(next, 2);
  const text = `${before} <AI>${commentary}</AI>\n${after}`;
  const record: Record<string, unknown> = {
    id: `bench-${index.toString().padStart(7, "0")}`,
    text,
    source: "bench-pipeline/model-7",
    scenario: `scenario-${index % 100}`,
    lang: "en",
    batch: Math.floor(index / 10_000),
  };
  const inside = codePointLength(before) + " <AI>".length;
  if (index % 4 === 0) {
    record.marks = [{ start: 0, end: codePointLength(before), category: "deceit", commentary: { start: inside, end: inside + codePointLength(commentary) } }];
  }
  if (index % 3 === 0) {
    record.grader = { name: "bench-judge", score: Math.round(next() * 100) / 100, flags: [{ start: inside, end: inside + 5, category: "style", severity: "minor", comment: "terse" }] };
  }
  return JSON.stringify(record);
}

/** Writes the benchmark's file; returns its size in bytes. */
async function writeFile(file: string): Promise<number> {
  const next = seededRandom(8);
  const out = createWriteStream(file);
  for (let start = 0; start < LINES; start += 10_000) {
    const chunk: string[] = [];
    for (let index = start; index < Math.min(LINES, start + 10_000); index++) chunk.push(importLine(index, next));
    if (!out.write(chunk.join("\n") + "\n")) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
  return statSync(file).size;
}

/** The baseline: reads the file and parses every line as JSON, nothing else. Returns the lines parsed. */
async function readAndParse(file: string): Promise<number> {
  let parsed = 0;
  let carry = Buffer.alloc(0);
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    const bytes = carry.length === 0 ? (chunk as Buffer) : Buffer.concat([carry, chunk as Buffer]);
    let start = 0;
    for (let end = bytes.indexOf(10); end !== -1; end = bytes.indexOf(10, start)) {
      if (end > start && JSON.parse(bytes.toString("utf8", start, end)) !== null) parsed++;
      start = end + 1;
    }
    carry = Buffer.from(bytes.subarray(start));
  }
  return parsed;
}

/** The `q` quantile (0 to 1) of some figures, by nearest rank. */
function percentile(figures: readonly number[], q: number): number {
  const sorted = [...figures].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
}

/** Updates the project's name (to the same name) every 100 ms until stopped; `stop` returns each write's time in ms. */
function concurrentWrites(db: Db, projectId: string): { stop: () => Promise<number[]> } {
  const times: number[] = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const begun = now();
      await db.project.update({ where: { id: projectId }, data: { name: "Import benchmark" } });
      times.push(now() - begun);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
      return times;
    },
  };
}

const importThroughput: Benchmark = {
  name: "import.throughput",
  run: async () => {
    const folder = mkdtempSync(join(tmpdir(), "studio-bench-import-"));
    try {
      let started = now();
      const file = join(folder, "candidates.jsonl");
      const bytes = await writeFile(file);
      log(`wrote ${LINES.toLocaleString("en-US")} lines, ${(bytes / 1e6).toFixed(0)} MB, in ${((now() - started) / 1000).toFixed(1)} s`);

      started = now();
      if ((await readAndParse(file)) !== LINES) throw new Error("the baseline read a different number of lines");
      const baselineSeconds = (now() - started) / 1000;
      log(`baseline (read + JSON.parse): ${baselineSeconds.toFixed(1)} s`);

      const url = `file:${join(folder, "studio.db")}`;
      await migrateDatabase(url);
      const db = await createDb(url);
      try {
        const project = await createProject(db, { slug: "bench-import", name: "Import benchmark", actorId: null });
        const run = await startJob(db, { projectId: project.id, kind: "import", params: { stage: "draft", file }, createdById: null });
        started = now();
        const cpu = process.cpuUsage();
        let peakRss = 0;
        const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 100);
        // How long this thread (in the server, the one answering requests) goes unable to run anything else.
        const loopDelay = monitorEventLoopDelay({ resolution: 10 });
        loopDelay.enable();
        // Meanwhile, a small write through the same Prisma client every 100 ms, as people's saves in the server would be.
        const writes = concurrentWrites(db, project.id);
        const outcome = await runJob(db, run, "import", () =>
          importFile(db, { projectId: project.id, stage: "draft", file, rejectsFile: join(folder, "candidates.rejects.jsonl"), run }),
        ).finally(() => {
          clearInterval(sampler);
          loopDelay.disable();
        });
        const writeTimes = await writes.stop();
        const seconds = (now() - started) / 1000;
        if (!outcome.ok) throw outcome.error;
        if (outcome.result.imported !== LINES) throw new Error(`only ${outcome.result.imported} of ${LINES} lines were imported: ${JSON.stringify(outcome.result.rejections[0])}`);
        const cpuSeconds = Object.values(process.cpuUsage(cpu)).reduce((sum, micros) => sum + micros, 0) / 1e6;
        log(
          `import: ${seconds.toFixed(1)} s, ${cpuSeconds.toFixed(1)} s of CPU (all threads), ${((cpuSeconds / LINES) * 1e6).toFixed(0)} µs of CPU per example, ` +
            `peak RSS ${(peakRss / 1e6).toFixed(0)} MB, event loop delay p99 ${ms(loopDelay.percentile(99))} ms, max ${ms(loopDelay.max)} ms, ` +
            `${writeTimes.length} concurrent writes: p99 ${percentile(writeTimes, 0.99).toFixed(1)} ms, max ${percentile(writeTimes, 1).toFixed(1)} ms`,
        );
        return [
          { name: "import.throughput", value: LINES / seconds, unit: "examples/s", baseline: LINES / baselineSeconds },
          { name: "import.throughput", value: bytes / 1e6 / seconds, unit: "MB/s", baseline: bytes / 1e6 / baselineSeconds },
          { name: "import.event_loop_delay", value: Number(ms(loopDelay.percentile(99))), unit: "ms, 99th percentile (the importing process's main thread)" },
          { name: "import.event_loop_delay", value: Number(ms(loopDelay.max)), unit: "ms, longest (the importing process's main thread)" },
          { name: "import.concurrent_write", value: Number(percentile(writeTimes, 0.99).toFixed(1)), unit: "ms, 99th percentile (a small Prisma write every 100 ms during the import)" },
          { name: "import.concurrent_write", value: Number(percentile(writeTimes, 1).toFixed(1)), unit: "ms, longest (a small Prisma write every 100 ms during the import)" },
        ];
      } finally {
        await db.$disconnect();
      }
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  },
};

/** The import benchmarks. */
export const benchmarks: Benchmark[] = [importThroughput];
