/**
 * Benchmarks of export snapshots (issue 8), on a temporary SQLite database migrated as in
 * production and filled in bulk with 1,000,000 accepted examples of about 1 KB (plus 100,000
 * drafts the export must skip), each with its head revision and editor document, four
 * participations (author, commentator, two reviewers) and the audit event of its acceptance;
 * every fourth has a commented bad-behaviour mark and every twentieth was accepted by an
 * adjudicator. Texts are composed from 4,096 generated sentences and a made-up word of their
 * own, so that no two are alike and the tokenizer meets new words as in real text.
 *
 * - `export.throughput`: a JSONL export without tokenisation, in examples/s and in MB/s of
 *   JSONL written, beside a baseline measured in the same run that only serialises, hashes and
 *   writes records of the same shape, size and count (no database, no record building): how
 *   close the export comes to the cost of its output. Goal: at least half the baseline.
 * - `export.throughput_tokenized`: the same export with `o200k_base` input ids and token
 *   modes, in examples/s and in examples/s per core. Goal: at least 5,000 examples/s per core.
 * - `export.peak_rss`: the largest resident set (MB) of the processes that ran the exports
 *   above and the default one (both formats, `o200k_base`), worker threads and DuckDB included.
 *   Goal: under 300 MB.
 *
 * Each export runs in a fresh child process (this file, started with `--export-bench-child`) as
 * `studio export` runs it: a process of its own (started with studio's node options, by
 * export-child.ts, which caps malloc arenas and sizes young generations as bin/studio.js does),
 * building records on a thread per core, and
 * built into plain JavaScript as `npm run build` builds `studio` (`apps/api/src/build.ts`), so
 * that neither the fill's memory nor tsx's is counted and every run starts cold. Fill and run details go to
 * stderr. `EXPORT_BENCH_EXAMPLES` sets a smaller size for trying the benchmark out, and
 * `EXPORT_BENCH_FIXTURE=<folder>` keeps the filled database in that folder and reuses it in later
 * runs of the same size (the fill of a million examples takes minutes).
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { mkdir, open, rm } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { docToText, documentFromJSON } from "@prealign/core";
import { studioNodeOptions } from "../apps/api/bin/young-generation.js";
import { seededRandom } from "../packages/core/src/testing/random.ts";
import { createDb, type Db } from "../apps/api/src/db/database.ts";
import { migrateDatabase } from "../apps/api/src/db/migrate.ts";
import type { ExportFormat, ExportTokenizer } from "../apps/api/src/services/export/formats.ts";
import { now, type Benchmark, type BenchResult } from "./harness.ts";

/** Accepted examples exported. */
const EXAMPLES = Number(process.env.EXPORT_BENCH_EXAMPLES ?? 1_000_000);
/** Drafts in the same project, which the export skips. */
const DRAFTS = Math.floor(EXAMPLES / 10);
/** A folder to keep the filled database in and reuse; by default a temporary one, removed at exit. */
const KEPT_FIXTURE = process.env.EXPORT_BENCH_FIXTURE;
/** Examples written per fill transaction. */
const FILL_CHUNK = 100_000;
/** Distinct sentences texts are composed of. */
const SENTENCES = 4_096;
/** Records per shard, as the export's default. */
const SHARD_RECORDS = 100_000;
const USERS = 40;
const CHILD_FLAG = "--export-bench-child";
/** The file in a kept fixture's folder that says how it was filled ({@link FILL_SIZES}). */
const READY = "filled";
/** How a fixture is filled: a kept one is reused only when it was filled the same way. */
const FILL_SIZES = JSON.stringify({ examples: EXAMPLES, drafts: DRAFTS, sentences: SENTENCES, users: USERS });

const count = (n: number) => n.toLocaleString("en-US");

function log(message: string): void {
  process.stderr.write(`export: ${message}\n`);
}

// ---------------------------------------------------------------------------------------------
// The corpus: the same texts composed in SQL (to fill) and in JavaScript (for the baseline).

const WORDS = (
  "the a people said that it would rain tomorrow and nobody believed them because weather is hard to predict " +
  "she asked whether I could help her write a letter to the council about the noise from the factory next door " +
  "he wanted to know how to get into his neighbour's account without being noticed naïve café déjà vu Zürich " +
  "I think we should consider what everyone affected would want before deciding anything about this plan " +
  "lying to them would be easier but it would hurt their trust and that matters more than winning the argument"
).split(" ");

/** Sentences of 12 to 28 words, about 110 characters on average; plain text that needs no JSON escaping. */
function sentences(): string[] {
  const next = seededRandom(8);
  return Array.from({ length: SENTENCES }, () => {
    const words = Array.from({ length: 12 + Math.floor(next() * 8) }, () => WORDS[Math.floor(next() * WORDS.length)]!);
    words[0] = words[0]![0]!.toUpperCase() + words[0]!.slice(1);
    return `${words.join(" ")}.`;
  });
}

/** Multipliers that pick the sentences of example `i`: sentence k is number `(i * P[k] + k * 977) % SENTENCES`. */
const P = [2654435761, 40503, 2246822519, 3266489917, 668265263, 374761393, 1181783497, 2870177450, 1597334677];

/** A made-up word for example `i` (a new token sequence for the tokenizer). */
function wordOf(i: number): string {
  return `Zo${((i * 2654435761) % 4294967296).toString(16)}`;
}

/** The parts of example `i`'s text: human, AI commentary, human again. */
function partsOf(i: number, s: readonly string[]): { first: string; ai: string; last: string } {
  const pick = (k: number) => s[(i * P[k]! + k * 977) % SENTENCES]!;
  return {
    first: `Example ${i} by ${wordOf(i)}. ${pick(0)} ${pick(1)} ${pick(2)} ${pick(3)} `,
    ai: `${pick(4)} ${pick(5)}`,
    last: ` ${pick(6)} ${pick(7)} ${pick(8)}`,
  };
}

function textOf(i: number, s: readonly string[]): string {
  const { first, ai, last } = partsOf(i, s);
  return `${first}<AI>${ai}</AI>${last}`;
}

/** SQL for the same parts of example `i` (joined to `bench_sentence` as s0 … s8). */
const SQL_PARTS = {
  first: "'Example ' || i || ' by Zo' || printf('%x', (i * 2654435761) % 4294967296) || '. ' || s0.s || ' ' || s1.s || ' ' || s2.s || ' ' || s3.s || ' '",
  ai: "s4.s || ' ' || s5.s",
  last: "' ' || s6.s || ' ' || s7.s || ' ' || s8.s",
};
const SENTENCE_JOINS = P.map((p, k) => `JOIN bench_sentence s${k} ON s${k}.n = (i * ${p} + ${k * 977}) % ${SENTENCES}`).join(" ");
const MARK = `{"type":"bad_behaviour","attrs":{"id":"m1","category":"deceit","commentary":"ai-1"}}`;
const SQL_TEXT = `${SQL_PARTS.first} || '<AI>' || ${SQL_PARTS.ai} || '</AI>' || ${SQL_PARTS.last}`;
const SQL_DOC =
  `'{"type":"doc","content":[{"type":"paragraph","content":[{"type":"text",' || ` +
  `CASE WHEN i % 4 = 0 THEN '"marks":[${MARK}],' ELSE '' END || '"text":"' || ${SQL_PARTS.first} || '"},` +
  `{"type":"ai","attrs":{"id":"ai-1"},"content":[{"type":"text","text":"' || ${SQL_PARTS.ai} || '"}]},` +
  `{"type":"text","text":"' || ${SQL_PARTS.last} || '"}]}]}'`;

// ---------------------------------------------------------------------------------------------
// The database.

const SEQUENCE = `WITH RECURSIVE seq(i) AS (SELECT :from UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < :to)`;
const TIME = (offset: string) => `strftime('%Y-%m-%dT%H:%M:%f+00:00', 1735689600 + i * 20 + ${offset}, 'unixepoch')`;

/** The statements that write accepted examples `:from` to `:to`. */
function fillStatements(): string[] {
  const user = (n: string) => `(SELECT id FROM bench_user WHERE n = ${n})`;
  return [
    `INSERT INTO "Example" (id, "projectId", stage, "createdById", "createdAt", "updatedAt", "headRevisionId", "reviewRound", "reviewRevisionId")
     ${SEQUENCE} SELECT 'cex' || printf('%022d', i), :project, 'accepted', ${user("i % 24")}, ${TIME("0")}, ${TIME("600")},
       'crv' || printf('%022d', i), 1, 'crv' || printf('%022d', i) FROM seq`,
    `INSERT INTO "Revision" (id, "exampleId", number, text, doc, "authorId", "createdAt", excerpt, digest)
     ${SEQUENCE} SELECT 'crv' || printf('%022d', i), 'cex' || printf('%022d', i), 3, ${SQL_TEXT}, ${SQL_DOC}, ${user("i % 24")}, ${TIME("300")},
       substr(${SQL_TEXT}, 1, 160), '' FROM seq ${SENTENCE_JOINS}`,
    ...[
      ["cpa", "author", "i % 24"],
      ["cpc", "commentator", "20 + i % 12"],
      ["cpr", "reviewer", "32 + i % 8"],
      ["cps", "reviewer", "16 + i % 4"],
    ].map(
      ([prefix, role, n]) => `INSERT INTO "Participation" (id, "exampleId", "userId", role, "createdAt")
       ${SEQUENCE} SELECT '${prefix}' || printf('%022d', i), 'cex' || printf('%022d', i), ${user(n!)}, '${role}', ${TIME("400")} FROM seq`,
    ),
    `INSERT INTO "Participation" (id, "exampleId", "userId", role, "createdAt")
     ${SEQUENCE} SELECT 'cpj' || printf('%022d', i), 'cex' || printf('%022d', i), ${user("36 + i % 4")}, 'adjudicator', ${TIME("500")} FROM seq WHERE i % 20 = 0`,
    `INSERT INTO "AuditEvent" (id, "actorId", "projectId", "exampleId", action, "from", "to", data, "createdAt")
     ${SEQUENCE} SELECT 'cae' || printf('%022d', i),
       CASE WHEN i % 20 = 0 THEN ${user("36 + i % 4")} ELSE ${user("32 + i % 8")} END, :project, 'cex' || printf('%022d', i),
       'example.stage', CASE WHEN i % 20 = 0 THEN 'adjudication' ELSE 'review' END, 'accepted',
       CASE WHEN i % 20 = 0 THEN '{"action":"accept","round":1}' ELSE '{"action":"complete_review","round":1}' END, ${TIME("600")} FROM seq`,
  ];
}

/** Drafts `:from` to `:to` (numbered after the accepted examples). */
function draftStatements(): string[] {
  return [
    `INSERT INTO "Example" (id, "projectId", stage, "createdById", "createdAt", "updatedAt", "headRevisionId")
     ${SEQUENCE} SELECT 'cex' || printf('%022d', i), :project, 'draft', (SELECT id FROM bench_user WHERE n = 0), ${TIME("0")}, ${TIME("0")}, 'crv' || printf('%022d', i) FROM seq`,
    `INSERT INTO "Revision" (id, "exampleId", number, text, doc, "authorId", "createdAt", excerpt, digest)
     ${SEQUENCE} SELECT 'crv' || printf('%022d', i), 'cex' || printf('%022d', i), 1, 'A draft.', '{"type":"doc","content":[{"type":"paragraph","content":[{"type":"text","text":"A draft."}]}]}',
       (SELECT id FROM bench_user WHERE n = 0), ${TIME("0")}, 'A draft.', '' FROM seq`,
  ];
}

/** A temporary SQLite database holding the benchmark's project. */
class ExportFixture {
  private constructor(
    readonly db: Db,
    readonly folder: string,
    readonly url: string,
    readonly projectId: string,
  ) {}

  static async create(): Promise<ExportFixture> {
    const folder = KEPT_FIXTURE ?? mkdtempSync(join(tmpdir(), "studio-bench-export-"));
    const url = `file:${join(folder, "studio.db")}`;
    const kept = KEPT_FIXTURE !== undefined ? await ExportFixture.#reuse(folder, url) : null;
    if (kept !== null) return kept;
    mkdirSync(folder, { recursive: true });
    await migrateDatabase(url);
    const db = await createDb(url);
    await db.user.createMany({ data: Array.from({ length: USERS }, (_, n) => ({ email: `bench-${n}@example.org`, name: `Bench person ${n}`, passwordHash: "!" })) });
    const project = await db.project.create({ data: { slug: "bench-export", name: "Export benchmark", settings: {} }, select: { id: true } });
    const fixture = new ExportFixture(db, folder, url, project.id);
    await fixture.#fill();
    if (KEPT_FIXTURE !== undefined) writeFileSync(join(folder, READY), FILL_SIZES);
    return fixture;
  }

  /**
   * The kept fixture in `folder` when it was filled as this run would fill it (its marker holds
   * the fill's sizes), migrated to the current schema; otherwise null, after removing a stale
   * fixture's files. A folder that holds anything but a fixture is refused, never emptied.
   */
  static async #reuse(folder: string, url: string): Promise<ExportFixture | null> {
    if (!existsSync(folder)) return null;
    const ready = join(folder, READY);
    if (!existsSync(ready)) {
      if (readdirSync(folder).length > 0) throw new Error(`EXPORT_BENCH_FIXTURE: ${folder} holds files but no benchmark fixture; name an empty or new folder.`);
      return null;
    }
    if (readFileSync(ready, "utf8") === FILL_SIZES) {
      await migrateDatabase(url);
      const db = await createDb(url);
      const project = await db.project.findUniqueOrThrow({ where: { slug: "bench-export" }, select: { id: true } });
      log(`reusing the ${count(EXAMPLES)} examples kept in ${folder}`);
      return new ExportFixture(db, folder, url, project.id);
    }
    for (const name of readdirSync(folder)) {
      if (name === READY || name.startsWith("studio.db") || name.startsWith("out-") || name.startsWith("baseline-")) rmSync(join(folder, name), { recursive: true, force: true });
    }
    return null;
  }

  /** Writes the examples with SQL on the client's own connection (see bench/workflow.ts for why). */
  async #fill(): Promise<void> {
    const { db } = this;
    const started = now();
    await db.$executeRawUnsafe("PRAGMA synchronous = OFF");
    await db.$executeRawUnsafe("PRAGMA foreign_keys = OFF");
    const users = (await db.user.findMany({ select: { id: true, email: true } })).sort((a, b) => parseInt(a.email.slice(6)) - parseInt(b.email.slice(6)));
    await db.$executeRawUnsafe("CREATE TEMP TABLE bench_user (n INTEGER PRIMARY KEY, id TEXT NOT NULL)");
    await db.$executeRawUnsafe(`INSERT INTO bench_user (n, id) VALUES ${users.map((user, n) => `(${n}, '${user.id}')`).join(", ")}`);
    await db.$executeRawUnsafe("CREATE TEMP TABLE bench_sentence (n INTEGER PRIMARY KEY, s TEXT NOT NULL)");
    const s = sentences();
    for (let from = 0; from < s.length; from += 500) {
      await db.$executeRawUnsafe(`INSERT INTO bench_sentence (n, s) VALUES ${s.slice(from, from + 500).map((text, k) => `(${from + k}, '${text.replaceAll("'", "''")}')`).join(", ")}`);
    }
    const run = async (statements: string[], first: number, total: number) => {
      for (let from = first; from < first + total; from += FILL_CHUNK) {
        const to = Math.min(first + total, from + FILL_CHUNK);
        const bound = statements.map((sql) => sql.replaceAll(":from", String(from)).replaceAll(":to", String(to)).replaceAll(":project", `'${this.projectId}'`));
        await db.$transaction(bound.map((sql) => db.$executeRawUnsafe(sql)));
        log(`filled ${count(to)} examples (${((now() - started) / 1000).toFixed(1)} s)`);
      }
    };
    await run(fillStatements(), 0, EXAMPLES);
    await run(draftStatements(), EXAMPLES, DRAFTS);
    await db.$executeRawUnsafe("PRAGMA foreign_keys = ON");
    await db.$executeRawUnsafe("PRAGMA synchronous = FULL");
    await db.$queryRawUnsafe("PRAGMA wal_checkpoint(TRUNCATE)");
    // The fixture must be what the studio would have stored: check a few examples through the core.
    for (const i of [0, 1, 4, EXAMPLES - 1]) {
      const id = `cex${String(i).padStart(22, "0")}`;
      const revision = await db.revision.findFirstOrThrow({ where: { exampleId: id }, select: { text: true, doc: true } });
      if (revision.text !== textOf(i, s) || docToText(documentFromJSON(JSON.parse(revision.doc))) !== revision.text) {
        throw new Error(`The fill wrote example ${i} wrongly`);
      }
    }
    log(`fill of ${count(EXAMPLES)} accepted examples and ${count(DRAFTS)} drafts took ${((now() - started) / 1000).toFixed(1)} s`);
  }

  async drop(): Promise<void> {
    await this.db.$disconnect();
    if (KEPT_FIXTURE === undefined) rmSync(this.folder, { recursive: true, force: true });
  }
}

let fixture: Promise<ExportFixture> | null = null;

/** The database the export benchmarks share, deleted when the process is about to exit. */
function exportFixture(): Promise<ExportFixture> {
  if (fixture) return fixture;
  fixture = ExportFixture.create();
  process.once("beforeExit", () => void fixture?.then((f) => f.drop()));
  return fixture;
}

// ---------------------------------------------------------------------------------------------
// One measured run, in a child process.

/** What a child process is asked to do. */
type ChildTask =
  | { kind: "export"; url: string; projectId: string; outDir: string; format: ExportFormat; tokenizer: ExportTokenizer; threads?: number }
  | { kind: "baseline"; outDir: string; examples: number };

/** What it reports. */
interface ChildReport {
  seconds: number;
  records: number;
  /** Bytes of JSONL written. */
  jsonlBytes: number;
  /** Peak resident set of the process, threads included, in MB. */
  peakRssMb: number;
  /** CPU time of the process (all threads, user and system) during the measured work. */
  cpuSeconds: number;
}

/**
 * The child processes' entry point: export-child.ts, this file and the studio's code built as
 * `studio` is (see `apps/api/src/build.ts`), in a folder of this process's own, removed when it
 * exits.
 */
let childEntry: Promise<string> | null = null;

function builtChild(): Promise<string> {
  childEntry ??= (async () => {
    // Imported here, so that the child does not load esbuild.
    const { bundleStudio } = await import("../apps/api/src/build.ts");
    const dir = join(fileURLToPath(new URL("../apps/api/dist", import.meta.url)), `bench-export-${process.pid}`);
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
    await bundleStudio(dir, { "export-child": fileURLToPath(new URL("./export-child.ts", import.meta.url)) });
    return join(dir, "export-child.mjs");
  })();
  return childEntry;
}

/** Runs a task in a fresh process (this file, built) and returns its report. */
async function inChild(task: ChildTask): Promise<ChildReport> {
  const entry = await builtChild();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...studioNodeOptions(), entry, CHILD_FLAG, JSON.stringify(task)], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.on("error", reject);
    child.on("close", (status) => (status === 0 ? resolve(JSON.parse(out.trim().split("\n").at(-1)!) as ChildReport) : reject(new Error(`The benchmark child failed with status ${status}`))));
  });
}

/**
 * The baseline: records of the export's shape built straight from the texts (no database, no
 * record building), serialised, hashed and written in shards of the same size.
 */
async function baseline(outDir: string, examples: number): Promise<{ records: number; jsonlBytes: number }> {
  const s = sentences();
  await mkdir(outDir);
  const lineage = (i: number) => ({
    authors: [`u_${"a".repeat(14)}${String(i % 24).padStart(2, "0")}`],
    commentators: [`u_${"c".repeat(14)}${String(i % 12).padStart(2, "0")}`],
    reviewers: [`u_${"d".repeat(14)}${String(i % 4).padStart(2, "0")}`, `u_${"e".repeat(14)}${String(i % 8).padStart(2, "0")}`],
    adjudicator: i % 20 === 0 ? `u_${"f".repeat(16)}` : null,
    adjudication: i % 20 === 0 ? "accept" : null,
    guideline_version: null,
    revision: 3,
    created_at: new Date(1735689600000 + i * 20000).toISOString(),
    accepted_at: new Date(1735689600000 + i * 20000 + 600000).toISOString(),
    model_drafted: false,
    draft_model: null,
    source: null,
  });
  let jsonlBytes = 0;
  for (let shard = 0; shard * SHARD_RECORDS < examples; shard++) {
    const file = await open(join(outDir, `train-${shard}.jsonl`), "wx");
    const hash = createHash("sha256");
    let buffer: string[] = [];
    let buffered = 0;
    const flush = async () => {
      const bytes = Buffer.from(buffer.join(""), "utf8");
      buffer = [];
      buffered = 0;
      hash.update(bytes);
      jsonlBytes += bytes.length;
      await file.write(bytes);
    };
    for (let i = shard * SHARD_RECORDS; i < Math.min(examples, (shard + 1) * SHARD_RECORDS); i++) {
      const { first, ai } = partsOf(i, s);
      const text = textOf(i, s);
      const aiStart = first.length + 4;
      const record = {
        id: `cex${String(i).padStart(22, "0")}`,
        text,
        split: "train",
        token_counts: null,
        mode_spans: [
          { mode: "human", start: 0, end: first.length },
          { mode: "ai", start: aiStart, end: aiStart + ai.length },
          { mode: "human", start: aiStart + ai.length + 5, end: text.length },
        ],
        marks: i % 4 === 0 ? [{ start: 0, end: first.length, category: "deceit", commentary: { start: aiStart, end: aiStart + ai.length } }] : [],
        lineage: lineage(i),
      };
      const line = JSON.stringify(record);
      buffer.push(line, "\n");
      buffered += line.length + 1;
      if (buffered >= 1 << 20) await flush();
    }
    await flush();
    hash.digest("hex");
    await file.close();
  }
  return { records: examples, jsonlBytes };
}

/** The child's side: runs its task and prints its report as one JSON line. */
async function childMain(task: ChildTask): Promise<void> {
  const started = now();
  const cpu = () => {
    const usage = process.cpuUsage();
    return (usage.user + usage.system) / 1e6;
  };
  let outcome: { records: number; jsonlBytes: number };
  if (task.kind === "baseline") {
    outcome = await baseline(task.outDir, task.examples);
  } else {
    const { startJob, runJob } = await import("../apps/api/src/services/jobs.ts");
    const { exportSnapshot } = await import("../apps/api/src/services/export/exporter.ts");
    const db = await createDb(task.url);
    const run = await startJob(db, { projectId: task.projectId, kind: "export", params: {}, createdById: null });
    const begun = now();
    const cpuBegun = cpu();
    const result = await runJob(db, run, "export", () => exportSnapshot(db, { projectId: task.projectId, outDir: task.outDir, format: task.format, tokenizer: task.tokenizer, run, dedicated: true, ...(task.threads === undefined ? {} : { threads: task.threads }) }));
    if (!result.ok) throw result.error;
    const seconds = (now() - begun) / 1000;
    await db.$disconnect();
    const jsonlBytes = result.result.shards.filter((shard) => shard.format === "jsonl").reduce((sum, shard) => sum + shard.bytes, 0);
    const report: ChildReport = { seconds, records: result.result.records, jsonlBytes, peakRssMb: process.resourceUsage().maxRSS / 1024, cpuSeconds: cpu() - cpuBegun };
    process.stdout.write(`${JSON.stringify(report)}\n`);
    return;
  }
  const report: ChildReport = { seconds: (now() - started) / 1000, ...outcome, peakRssMb: process.resourceUsage().maxRSS / 1024, cpuSeconds: cpu() };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

// ---------------------------------------------------------------------------------------------
// The benchmarks.

/** Peak RSS of every export measured in this run. */
const peaks: { label: string; mb: number }[] = [];

/** Exports the fixture in a child process into a fresh folder (removed afterwards) and logs the run. */
async function measureExport(format: ExportFormat, tokenizer: ExportTokenizer): Promise<ChildReport> {
  const f = await exportFixture();
  const outDir = join(f.folder, `out-${format}-${tokenizer}-${Date.now()}`);
  const report = await inChild({ kind: "export", url: f.url, projectId: f.projectId, outDir, format, tokenizer });
  await rm(outDir, { recursive: true, force: true });
  const label = `${format}, ${tokenizer}`;
  peaks.push({ label, mb: report.peakRssMb });
  log(
    `export (${label}): ${count(report.records)} records in ${report.seconds.toFixed(1)} s, ${count(Math.round(report.records / report.seconds))} examples/s, ` +
      `${(report.jsonlBytes / 1e6 / report.seconds).toFixed(1)} MB/s of JSONL, ${((report.cpuSeconds / report.records) * 1e6).toFixed(0)} µs of CPU per example, ` +
      `peak RSS ${report.peakRssMb.toFixed(0)} MB`,
  );
  return report;
}

export const benchmarks: Benchmark[] = [
  {
    name: "export.throughput",
    run: async () => {
      const f = await exportFixture();
      const exported = await measureExport("jsonl", "none");
      const outDir = join(f.folder, `baseline-${Date.now()}`);
      const base = await inChild({ kind: "baseline", outDir, examples: EXAMPLES });
      await rm(outDir, { recursive: true, force: true });
      log(
        `baseline: ${count(base.records)} records in ${base.seconds.toFixed(1)} s, ${(base.jsonlBytes / 1e6 / base.seconds).toFixed(1)} MB/s, ` +
          `${((base.cpuSeconds / base.records) * 1e6).toFixed(0)} µs of CPU per example, ${(base.jsonlBytes / base.records).toFixed(0)} bytes per record (export: ${(exported.jsonlBytes / exported.records).toFixed(0)})`,
      );
      const unit = `(${count(EXAMPLES)} examples, JSONL, no tokenizer)`;
      const results: BenchResult[] = [
        { name: "export.throughput", value: exported.records / exported.seconds, unit: `examples/s ${unit}`, baseline: base.records / base.seconds },
        { name: "export.throughput", value: exported.jsonlBytes / 1e6 / exported.seconds, unit: `MB/s ${unit}`, baseline: base.jsonlBytes / 1e6 / base.seconds },
      ];
      return results;
    },
  },
  {
    name: "export.throughput_tokenized",
    run: async () => {
      const exported = await measureExport("jsonl", "o200k_base");
      const cores = availableParallelism();
      const unit = `(${count(EXAMPLES)} examples, JSONL, o200k_base`;
      return [
        { name: "export.throughput_tokenized", value: exported.records / exported.seconds, unit: `examples/s ${unit})` },
        { name: "export.throughput_tokenized", value: exported.records / exported.seconds / cores, unit: `examples/s per core ${unit}, ${cores} cores)` },
      ];
    },
  },
  {
    name: "export.peak_rss",
    run: async () => {
      // The default export (both formats, o200k_base), besides whichever ran before in this run.
      await measureExport("both", "o200k_base");
      if (!peaks.some((p) => p.label === "jsonl, none")) await measureExport("jsonl", "none");
      const worst = peaks.reduce((a, b) => (b.mb > a.mb ? b : a));
      return [{ name: "export.peak_rss", value: worst.mb, unit: `MB (${count(EXAMPLES)} examples; largest of: ${peaks.map((p) => `${p.label} ${p.mb.toFixed(0)}`).join(", ")})` }];
    },
  },
];

if (process.argv[2] === CHILD_FLAG) {
  await childMain(JSON.parse(process.argv[3]!) as ChildTask);
}
