/**
 * Benchmarks of the workflow at scale (issue 7), on a temporary SQLite database migrated as in
 * production and filled in bulk:
 *
 * - `queue.claim_p95`: milliseconds, p95 of "Take next" (`claimNext`) by reviewers of a project
 *   with 100,000 examples, a quarter of them in review: one reviewer at a time, then eight at
 *   once (one line each; the second includes waiting for the others on SQLite's one writer).
 *   Each reviewer hands back what they took before taking the next, as one who finished a
 *   review would, so the queue never runs dry. Goal: under 50 ms.
 * - `list.page_p95`: milliseconds, p95 of loading one page of 50 of a project's examples
 *   (`listExamples`), with 100,000 and then with 1,000,000 examples (one line each): first
 *   pages and deep pages (the page after a randomly chosen example, then the pages that follow
 *   it by cursor), with and without a stage filter. Goal: under 100 ms.
 *
 * Both are printed beside the p95 of a primary-key lookup of one example (`findUnique` by id)
 * measured in the same run, interleaved with the measured calls, so that the ratio says how
 * far a page or a claim is from the cheapest query the database answers.
 *
 * The examples are written by `INSERT … SELECT` statements over a recursive sequence, chunk by
 * chunk, not through the services (a million saves would take hours): each has
 * one head revision with a short text, its stored excerpt and editor document, an author's
 * participation, and, past commentary, a commentator's; examples in review have a review round
 * and half of them one submitted review. 85% of the examples are in one project, the rest in
 * three others; stages are spread as in a working studio (draft 20%, commentary 15%, review 25%,
 * adjudication 5%, accepted 30%, rejected 5%). Fill times go to stderr.
 */
import { seededRandom } from "../packages/core/src/testing/random.ts";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { textToDoc, type Role, type Stage } from "@prealign/core";
import { now, percentile, type Benchmark, type BenchResult } from "./harness.ts";
import { createDb, type Db } from "../apps/api/src/db/database.ts";
import { migrateDatabase } from "../apps/api/src/db/migrate.ts";
import type { ProjectAccess } from "../apps/api/src/services/access.ts";
import { claimNext, releaseClaim } from "../apps/api/src/services/claims.ts";
import { listExamples } from "../apps/api/src/services/examples.ts";

/** The database sizes measured, in examples. */
const SMALL = 100_000;
const LARGE = 1_000_000;
/** Examples written per transaction while filling, so that memory stays bounded. */
const FILL_CHUNK = 100_000;
/** Page loads measured per size, and the page size the web app asks for. */
const PAGE_LOADS = 400;
const PAGE_SIZE = 50;
/** Pages followed by cursor from each starting point. */
const PAGES_PER_WALK = 4;
/** Claims measured one at a time, and by how many reviewers at once in the second measurement. */
const CLAIMS = 400;
const CONCURRENT_REVIEWERS = 8;
/** Untimed calls before measuring, so that code compiled and statements prepared on first use are not counted. */
const WARM_UP = 20;

/** Users by their place in the member list; see {@link MEMBERS}. */
const USER_COUNT = 40;
/**
 * Who holds which role in every project, by user number: authors 0–23, commentators 20–31,
 * reviewers 16–39, adjudicators 36–39, admin 0. Some reviewers also write or comment, so that
 * the queue has examples each of them must be skipped past.
 */
const MEMBERS: Record<Role, [number, number]> = {
  author: [0, 24],
  commentator: [20, 32],
  reviewer: [16, 40],
  adjudicator: [36, 40],
  admin: [0, 1],
};
const PROJECTS = ["bench-main", "bench-b", "bench-c", "bench-d"];

/** Format a count as the units show it: 100,000. */
const count = (n: number) => n.toLocaleString("en-US");

/** Progress and diagnostics, on stderr so that stdout keeps one JSON line per figure. */
function log(message: string): void {
  process.stderr.write(`workflow: ${message}\n`);
}

/**
 * The text every example gets, `#` replaced by its number: human narration with an AI span, as
 * short as a real excerpt. Its editor document is derived once by the core's codec.
 */
const TEXT_TEMPLATE = "Example #. She asked whether I could help her write a letter to the council about the noise. <AI>I can help you write it, and keep it polite.</AI>";

function documentTemplate(): string {
  const converted = textToDoc(TEXT_TEMPLATE, {});
  if (!converted.ok) throw new Error("The benchmark's example text must convert to a document");
  return JSON.stringify(converted.doc.toJSON());
}

/**
 * SQL pieces shared by the fill statements: for the sequence number `i`, its example's id,
 * project, stage and timestamps. The hashes spread stages and projects evenly but not
 * periodically over the sequence; timestamps are Prisma's SQLite format (ISO 8601, +00:00).
 */
const SQL = {
  exampleId: "'cex' || printf('%022d', i)",
  revisionId: "'crv' || printf('%022d', i)",
  project: "CASE WHEN (i * 7) % 20 < 17 THEN 0 ELSE 1 + i % 3 END",
  stageBucket: "((i * 2654435761) >> 7) % 1000",
  createdAt: "strftime('%Y-%m-%dT%H:%M:%f+00:00', 1735689600 + i * 20, 'unixepoch')",
  updatedAt: "strftime('%Y-%m-%dT%H:%M:%f+00:00', 1735689600 + i * 20 + (i * 40503) % 2592000 + (i % 997) / 1000.0, 'unixepoch')",
  author: "i % 24",
  commentator: "20 + i % 12",
  /** Reviewers 32–39 neither write nor comment: one of them gave the round's first review. */
  firstReviewer: "32 + i % 8",
};

const STAGE_CASE = `CASE
  WHEN ${SQL.stageBucket} < 200 THEN 'draft'
  WHEN ${SQL.stageBucket} < 350 THEN 'commentary'
  WHEN ${SQL.stageBucket} < 600 THEN 'review'
  WHEN ${SQL.stageBucket} < 650 THEN 'adjudication'
  WHEN ${SQL.stageBucket} < 950 THEN 'accepted'
  ELSE 'rejected' END`;

/** The examples numbered `from` (inclusive) to `to` (exclusive), one row each, with their stage. */
const SEQUENCE = `WITH RECURSIVE seq(i) AS (SELECT :from UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < :to),
  rows AS (SELECT i, ${STAGE_CASE} AS stage FROM seq)`;

/** A temporary SQLite database with users, projects and memberships; examples added by {@link SqliteFixture.grow}. */
class SqliteFixture {
  readonly db: Db;
  readonly folder: string;
  /** User ids by user number. */
  readonly users: string[];
  /** Project ids, the main project first. */
  readonly projects: string[];
  /** How many examples it holds. */
  size = 0;

  private constructor(db: Db, folder: string, users: string[], projects: string[]) {
    this.db = db;
    this.folder = folder;
    this.users = users;
    this.projects = projects;
  }

  /** Creates, migrates and opens the database, with the users, projects and memberships but no examples. */
  static async create(): Promise<SqliteFixture> {
    const folder = mkdtempSync(join(tmpdir(), "studio-bench-"));
    const url = `file:${join(folder, "studio.db")}`;
    await migrateDatabase(url);
    const db = await createDb(url);
    await db.user.createMany({
      data: Array.from({ length: USER_COUNT }, (_, n) => ({
        email: `bench-${n}@example.org`,
        name: `Bench person ${n}`,
        passwordHash: "!",
      })),
    });
    const users = (await db.user.findMany({ select: { id: true, email: true } }))
      .sort((a, b) => parseInt(a.email.slice(6)) - parseInt(b.email.slice(6)))
      .map((user) => user.id);
    const projects: string[] = [];
    for (const slug of PROJECTS) {
      const project = await db.project.create({ data: { slug, name: slug, settings: {} }, select: { id: true } });
      projects.push(project.id);
      await db.membership.createMany({
        data: Object.entries(MEMBERS).flatMap(([role, [first, end]]) =>
          Array.from({ length: end - first }, (_, k) => ({ projectId: project.id, userId: users[first + k]!, role })),
        ),
      });
    }
    return new SqliteFixture(db, folder, users, projects);
  }

  /** The access of user `n` to the main project, with the roles {@link MEMBERS} gives them. */
  access(n: number): ProjectAccess {
    const roles = (Object.keys(MEMBERS) as Role[]).filter((role) => n >= MEMBERS[role][0] && n < MEMBERS[role][1]);
    return { projectId: this.projects[0]!, projectSlug: PROJECTS[0]!, userId: this.users[n]!, isGlobalAdmin: false, roles };
  }

  /**
   * Adds examples until the database holds `size`. The statements run on the client's own
   * connection: a second SQLite connection in this process would be opened by another copy of
   * the SQLite library (the Prisma adapter bundles its own better-sqlite3), and two copies in
   * one process break each other's file locks and corrupt the database.
   */
  async grow(size: number): Promise<void> {
    if (size <= this.size) return;
    const started = now();
    const { db } = this;
    const pragma = async (name: string) => Object.values((await db.$queryRawUnsafe<Record<string, unknown>[]>(`PRAGMA ${name}`))[0]!)[0];
    const saved = { synchronous: await pragma("synchronous"), cache_size: await pragma("cache_size") };
    // The fill is a benchmark fixture: losing it to a crash costs nothing, so skip syncing.
    await db.$executeRawUnsafe("PRAGMA synchronous = OFF");
    await db.$executeRawUnsafe("PRAGMA cache_size = -262144");
    // An example names its head revision, which names the example: the rows are written with
    // keys unchecked (with a deferred violation pending, SQLite would look for children of
    // every new revision by the unindexed "baseRevisionId"), then checked all at once.
    await db.$executeRawUnsafe("PRAGMA foreign_keys = OFF");
    try {
      await db.$executeRawUnsafe("CREATE TEMP TABLE bench_user (n INTEGER PRIMARY KEY, id TEXT NOT NULL)");
      await db.$executeRawUnsafe("CREATE TEMP TABLE bench_project (n INTEGER PRIMARY KEY, id TEXT NOT NULL)");
      const values = (ids: string[]) => ids.map((id, n) => `(${n}, '${id}')`).join(", ");
      await db.$executeRawUnsafe(`INSERT INTO bench_user (n, id) VALUES ${values(this.users)}`);
      await db.$executeRawUnsafe(`INSERT INTO bench_project (n, id) VALUES ${values(this.projects)}`);
      const statements = fillStatements(documentTemplate());
      for (let from = this.size; from < size; from += FILL_CHUNK) {
        const to = Math.min(size, from + FILL_CHUNK);
        await db.$transaction(statements.map((sql) => db.$executeRawUnsafe(sql.replaceAll(":from", String(from)).replaceAll(":to", String(to)))));
        log(`filled ${count(to)} examples (${((now() - started) / 1000).toFixed(1)} s)`);
      }
      const violations = await db.$queryRawUnsafe<unknown[]>("PRAGMA foreign_key_check");
      if (violations.length > 0) throw new Error(`The fill broke ${violations.length} foreign keys, e.g. ${JSON.stringify(violations[0])}`);
    } finally {
      await db.$executeRawUnsafe("DROP TABLE IF EXISTS temp.bench_user");
      await db.$executeRawUnsafe("DROP TABLE IF EXISTS temp.bench_project");
      await db.$executeRawUnsafe("PRAGMA foreign_keys = ON");
      await db.$executeRawUnsafe(`PRAGMA synchronous = ${String(saved.synchronous)}`);
      await db.$executeRawUnsafe(`PRAGMA cache_size = ${String(saved.cache_size)}`);
      await db.$queryRawUnsafe("PRAGMA wal_checkpoint(TRUNCATE)");
    }
    log(`fill from ${count(this.size)} to ${count(size)} examples took ${((now() - started) / 1000).toFixed(1)} s`);
    this.size = size;
  }

  /** Closes the client and deletes the database. */
  async drop(): Promise<void> {
    await this.db.$disconnect();
    rmSync(this.folder, { recursive: true, force: true });
  }
}

/** The statements that write examples `:from` to `:to`, run in this order in one transaction. */
function fillStatements(doc: string): string[] {
  const [before, after] = TEXT_TEMPLATE.split("#") as [string, string];
  const [docBefore, docAfter] = doc.split("#") as [string, string];
  const quote = (text: string) => `'${text.replaceAll("'", "''")}'`;
  const text = `${quote(before)} || i || ${quote(after)}`;
  const reviewed = "stage IN ('review', 'adjudication', 'accepted', 'rejected')";
  return [
    `INSERT INTO "Example" (id, "projectId", stage, "createdById", "createdAt", "updatedAt", "headRevisionId", "reviewRound", "reviewRevisionId")
     ${SEQUENCE}
     SELECT ${SQL.exampleId}, p.id, stage, u.id, ${SQL.createdAt}, ${SQL.updatedAt}, ${SQL.revisionId},
       CASE WHEN ${reviewed} THEN 1 ELSE 0 END, CASE WHEN ${reviewed} THEN ${SQL.revisionId} END
     FROM rows JOIN bench_project p ON p.n = ${SQL.project} JOIN bench_user u ON u.n = ${SQL.author}`,
    `INSERT INTO "Revision" (id, "exampleId", number, text, doc, "authorId", "createdAt", excerpt, digest)
     ${SEQUENCE}
     SELECT ${SQL.revisionId}, ${SQL.exampleId}, 1, ${text}, ${quote(docBefore)} || i || ${quote(docAfter)}, u.id, ${SQL.createdAt},
       substr(${text}, 1, 160), ''
     FROM rows JOIN bench_user u ON u.n = ${SQL.author}`,
    `INSERT INTO "Participation" (id, "exampleId", "userId", role, "createdAt")
     ${SEQUENCE}
     SELECT 'cpa' || printf('%022d', i), ${SQL.exampleId}, u.id, 'author', ${SQL.createdAt}
     FROM rows JOIN bench_user u ON u.n = ${SQL.author}`,
    `INSERT INTO "Participation" (id, "exampleId", "userId", role, "createdAt")
     ${SEQUENCE}
     SELECT 'cpc' || printf('%022d', i), ${SQL.exampleId}, u.id, 'commentator', ${SQL.createdAt}
     FROM rows JOIN bench_user u ON u.n = ${SQL.commentator} WHERE ${reviewed}`,
    // Half the examples in review have the round's first review in; every one in adjudication has two.
    `INSERT INTO "Review" (id, "exampleId", "revisionId", round, "reviewerId", verdict, "submittedAt", "createdAt")
     ${SEQUENCE}
     SELECT 'crw' || printf('%022d', i), ${SQL.exampleId}, ${SQL.revisionId}, 1, u.id,
       CASE WHEN stage = 'review' THEN 'accept' ELSE 'changes_needed' END, ${SQL.updatedAt}, ${SQL.updatedAt}
     FROM rows JOIN bench_user u ON u.n = ${SQL.firstReviewer}
     WHERE (stage = 'review' AND i % 2 = 0) OR stage = 'adjudication'`,
    `INSERT INTO "Review" (id, "exampleId", "revisionId", round, "reviewerId", verdict, "submittedAt", "createdAt")
     ${SEQUENCE}
     SELECT 'crx' || printf('%022d', i), ${SQL.exampleId}, ${SQL.revisionId}, 1, u.id, 'accept', ${SQL.updatedAt}, ${SQL.updatedAt}
     FROM rows JOIN bench_user u ON u.n = 16 + i % 4
     WHERE stage = 'adjudication'`,
  ];
}

let sqlite: Promise<SqliteFixture> | null = null;

/**
 * The database both benchmarks share, created on first use and deleted when the process is
 * about to exit, so that `list.page_p95` can reuse the 100,000 examples `queue.claim_p95` used.
 */
function sqliteFixture(): Promise<SqliteFixture> {
  if (sqlite) return sqlite;
  sqlite = SqliteFixture.create();
  process.once("beforeExit", () => void sqlite?.then((fixture) => fixture.drop()));
  return sqlite;
}

/** A random number in [0, n), from a seeded generator so that runs pick the same examples. */
function randomBelow(next: () => number, n: number): number {
  return Math.floor(next() * n);
}

/** Runs `work` and measures how long it took, in milliseconds. */
async function timed<T>(work: () => Promise<T>): Promise<{ answer: T; took: number }> {
  const started = now();
  const answer = await work();
  return { answer, took: now() - started };
}

/** A primary-key lookup of a random example: the baseline both benchmarks are compared with. */
function lookup(fixture: SqliteFixture, next: () => number): () => Promise<unknown> {
  const i = randomBelow(next, fixture.size);
  const id = `cex${String(i).padStart(22, "0")}`;
  return () => fixture.db.example.findUnique({ where: { id }, select: { id: true, stage: true, updatedAt: true } });
}

/** Where a walk over a project's list starts: its first page, or after some example, and with which stage filter. */
interface WalkStart {
  stage?: Stage;
  cursor?: string;
}

/**
 * Starting points of walks: in turn the first page unfiltered, a deep page unfiltered, the first
 * page of one stage and a deep page of that stage. A deep page starts after a random example of
 * the main project (its stage is the filter), found by primary key, untimed.
 */
async function walkStart(fixture: SqliteFixture, k: number, next: () => number): Promise<WalkStart> {
  const filtered = k % 4 >= 2;
  const stages: Stage[] = ["review", "draft", "accepted", "commentary"];
  if (k % 2 === 0) return filtered ? { stage: stages[(k >> 2) % stages.length]! } : {};
  for (;;) {
    const id = `cex${String(randomBelow(next, fixture.size)).padStart(22, "0")}`;
    const example = await fixture.db.example.findUnique({ where: { id }, select: { projectId: true, stage: true } });
    if (!example || example.projectId !== fixture.projects[0]) continue;
    return filtered ? { cursor: id, stage: example.stage as Stage } : { cursor: id };
  }
}

/** p95 of page loads and of the interleaved baseline on the fixture as it is now. */
async function measureList(fixture: SqliteFixture): Promise<BenchResult> {
  const next = seededRandom(fixture.size);
  const access = fixture.access(0);
  const pages: number[] = [];
  const deepPages: number[] = [];
  const baseline: number[] = [];
  const loadPage = (query: WalkStart) => listExamples(fixture.db, access, { limit: PAGE_SIZE, ...query });
  for (let k = 0; k < WARM_UP; k++) {
    await loadPage(await walkStart(fixture, k, next));
    await lookup(fixture, next)();
  }
  for (let walk = 0; pages.length < PAGE_LOADS; walk++) {
    const start = await walkStart(fixture, walk, next);
    let cursor = start.cursor;
    for (let p = 0; p < PAGES_PER_WALK && pages.length < PAGE_LOADS; p++) {
      const { answer: page, took } = await timed(() => loadPage({ ...start, ...(cursor ? { cursor } : {}) }));
      pages.push(took);
      if (start.cursor) deepPages.push(took);
      baseline.push((await timed(lookup(fixture, next))).took);
      cursor = page.nextCursor ?? undefined;
      if (!cursor) break;
    }
  }
  const result = {
    name: "list.page_p95",
    value: percentile(pages, 95),
    unit: `ms (p95, ${count(fixture.size)} examples)`,
    baseline: percentile(baseline, 95),
  };
  log(
    `list at ${count(fixture.size)}: median ${percentile(pages, 50).toFixed(2)} ms, p95 ${result.value.toFixed(2)} ms, ` +
      `max ${percentile(pages, 100).toFixed(2)} ms; deep pages only: median ${percentile(deepPages, 50).toFixed(2)} ms, ` +
      `p95 ${percentile(deepPages, 95).toFixed(2)} ms; lookup median ${percentile(baseline, 50).toFixed(2)} ms`,
  );
  return result;
}

/** The reviewers of {@link MEMBERS}, by user number. */
const REVIEWERS = Array.from({ length: MEMBERS.reviewer[1] - MEMBERS.reviewer[0] }, (_, k) => MEMBERS.reviewer[0] + k);

/**
 * Reviewers take the next example of the review queue in turn; before taking another, each
 * hands back what they took last (untimed), as one who finished a review frees it. With
 * `atOnce` reviewers at a time, they contend for the same head of the queue, so takes that
 * lose a race and move on to the next candidate are measured too.
 */
async function measureClaims(fixture: SqliteFixture, atOnce: number): Promise<{ claims: number[]; baseline: number[] }> {
  const next = seededRandom(atOnce);
  const claims: number[] = [];
  const baseline: number[] = [];
  const held = new Map<number, string>();
  const takeNext = async (reviewer: number, measured: boolean) => {
    const access = fixture.access(reviewer);
    const previous = held.get(reviewer);
    if (previous) await releaseClaim(fixture.db, access, previous);
    const { answer: taken, took } = await timed(() => claimNext(fixture.db, access, "reviewer"));
    if (taken.exampleId === null) throw new Error(`The review queue ran dry: ${taken.message}`);
    held.set(reviewer, taken.exampleId);
    if (measured) claims.push(took);
  };
  for (let k = 0; k < WARM_UP; k++) await takeNext(REVIEWERS[k % REVIEWERS.length]!, false);
  for (let round = 0; claims.length < CLAIMS; round++) {
    const reviewers = Array.from({ length: atOnce }, (_, k) => REVIEWERS[(round * atOnce + k) % REVIEWERS.length]!);
    await Promise.all(reviewers.map((reviewer) => takeNext(reviewer, true)));
    baseline.push((await timed(lookup(fixture, next))).took);
  }
  for (const [reviewer, exampleId] of held) await releaseClaim(fixture.db, fixture.access(reviewer), exampleId);
  return { claims, baseline };
}

/** The workflow benchmarks. */
export const benchmarks: Benchmark[] = [
  {
    name: "queue.claim_p95",
    run: async () => {
      const fixture = await sqliteFixture();
      await fixture.grow(SMALL);
      const results: BenchResult[] = [];
      for (const atOnce of [1, CONCURRENT_REVIEWERS]) {
        const { claims, baseline } = await measureClaims(fixture, atOnce);
        const who = atOnce === 1 ? "one reviewer at a time" : `${atOnce} reviewers at once`;
        log(`claims at ${count(fixture.size)}, ${who}: median ${percentile(claims, 50).toFixed(2)} ms, p95 ${percentile(claims, 95).toFixed(2)} ms, max ${percentile(claims, 100).toFixed(2)} ms`);
        results.push({
          name: "queue.claim_p95",
          value: percentile(claims, 95),
          unit: `ms (p95, ${count(fixture.size)} examples, ${who})`,
          baseline: percentile(baseline, 95),
        });
      }
      return results;
    },
  },
  {
    name: "list.page_p95",
    run: async () => {
      const fixture = await sqliteFixture();
      const results: BenchResult[] = [];
      for (const size of [SMALL, LARGE]) {
        await fixture.grow(size);
        results.push(await measureList(fixture));
      }
      return results;
    },
  },
];
