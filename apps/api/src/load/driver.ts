/**
 * The load driver shared by the load test (short form, in `npm test`) and the load benchmark
 * (full form, `npm run bench -- load.save_p99`): simulated people who sign in, take an example
 * from the commentary queue, autosave it every few seconds and browse the project meanwhile,
 * all through real tRPC calls over HTTP, each person with at most one call in flight.
 *
 * It records every call's latency and outcome per procedure, and every save the server
 * acknowledged, so that afterwards {@link findLostSaves} can check each one against the
 * database: a save the server answered must be there, whatever happened in between (load,
 * a killed server, a restarted database).
 */
import { textToDoc } from "@prealign/core";
import type { Db } from "../db/database.ts";
import { CSRF_HEADER, SESSION_COOKIE } from "../server.ts";
import { hashPassword } from "../services/passwords.ts";
import { digestOf, excerptOf } from "../services/documents.ts";

/** The password of every simulated person. */
export const LOAD_PASSWORD = "load test password";

/** The slug of the project the simulated people work in. */
export const LOAD_PROJECT_SLUG = "load-project";

/** The people and the project {@link seedLoadProject} made. */
export interface LoadTeam {
  /** The project's slug. */
  projectSlug: string;
  /** The simulated people's emails, one per person (all with {@link LOAD_PASSWORD}). */
  emails: string[];
}

/** The text of every seeded example's first revision. */
const SEED_TEXT = "Seeded line. <AI>Seeded reply.</AI>";

/** The editor document (ProseMirror JSON) of a tagged text. */
function docOf(text: string): unknown {
  const converted = textToDoc(text);
  if (!converted.ok) throw new Error(`The load text "${text}" is not a valid text`);
  return converted.doc.toJSON();
}

/** The document a simulated person's save number `n` sends. */
function loadDoc(person: number, n: number): unknown {
  return docOf(`Person ${person} writes line ${n}. <AI>Reply ${n} to person ${person}, kept short.</AI>`);
}

/**
 * Creates `people` commentators (one password hash for all: hashing is not what is measured)
 * in a new project, and one example in the commentary stage for each of them to take from the
 * queue, written directly into the database.
 */
export async function seedLoadProject(db: Db, people: number): Promise<LoadTeam> {
  const passwordHash = await hashPassword(LOAD_PASSWORD);
  const emails = Array.from({ length: people }, (_, n) => `load-${n}@example.org`);
  await db.user.createMany({ data: emails.map((email, n) => ({ email, name: `Load person ${n}`, passwordHash })) });
  const users = await db.user.findMany({ where: { email: { in: emails } }, select: { id: true } });
  const project = await db.project.create({ data: { slug: LOAD_PROJECT_SLUG, name: "Load project", settings: {} }, select: { id: true } });
  await db.membership.createMany({ data: users.map((user) => ({ userId: user.id, projectId: project.id, role: "commentator" })) });
  const writer = users[0];
  if (!writer) throw new Error("A load project needs at least one person");
  const doc = JSON.stringify(docOf(SEED_TEXT));
  const text = SEED_TEXT;
  for (let n = 0; n < people; n += 1) {
    const example = await db.example.create({ data: { projectId: project.id, createdById: writer.id, stage: "commentary" }, select: { id: true } });
    const revision = await db.revision.create({
      data: { exampleId: example.id, number: 1, text, doc, excerpt: excerptOf(text), digest: digestOf(doc), authorId: writer.id },
      select: { id: true },
    });
    await db.example.update({ where: { id: example.id }, data: { headRevisionId: revision.id }, select: { id: true } });
  }
  return { projectSlug: LOAD_PROJECT_SLUG, emails };
}

/** How to run the load. */
export interface LoadOptions {
  /** The server, `http://host:port`. */
  url: string;
  /** Who signs in; see {@link seedLoadProject}. */
  team: LoadTeam;
  /** How long the people work after signing in, in milliseconds. */
  durationMs: number;
  /** How often each person autosaves, in milliseconds (each wait is jittered by ±25%). */
  saveEveryMs: number;
  /** How many people sign in at once; the next wave starts when a wave is in. Default 20. */
  loginWave?: number;
  /**
   * Each person keeps working past the end until they have made this many acknowledged saves
   * (default 0), so that a test on a slow machine still sees every person save.
   */
  minSavesPerPerson?: number;
  /** A call that has not answered after this long counts as an error. Default 30 s. */
  timeoutMs?: number;
  /** Called with each acknowledged save as it arrives (the crash drills act on these). */
  onSave?: (save: AcknowledgedSave) => void;
  /** Stops the people early when aborted. */
  signal?: AbortSignal;
}

/** A save the server answered with its new revision. */
export interface AcknowledgedSave {
  /** The example saved. */
  exampleId: string;
  /** The revision the answer named. */
  revisionId: string;
  /** Its number. */
  number: number;
  /** The tagged text the answer carried. */
  text: string;
}

/** One call's outcome. */
interface CallRecord {
  /** Milliseconds from sending to the whole answer. */
  ms: number;
  /** The error message, or null for a success. */
  error: string | null;
}

/** The figures of one procedure. */
export interface OperationStats {
  /** Calls made. */
  calls: number;
  /** Calls that failed (an error answer, a refused connection or a timeout). */
  errors: number;
  /** Latency percentiles of all calls, in milliseconds. */
  p50: number;
  p95: number;
  p99: number;
  /** Calls per second over the run. */
  perSecond: number;
}

/** What a run measured. */
export interface LoadReport {
  /** Figures per procedure (`auth.login`, `claims.next`, `examples.save`, `examples.list`, `examples.get`). */
  operations: Record<string, OperationStats>;
  /** Every failed call's message, counted. */
  errorMessages: Record<string, number>;
  /** How many failures said "database is locked". */
  lockedErrors: number;
  /** Every save the server acknowledged, in the order the answers arrived. */
  saves: AcknowledgedSave[];
  /** Seconds from the first sign-in to the last answer. */
  seconds: number;
}

/** The p-th percentile (0–100) of a list of samples, by nearest rank; 0 for no samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return 0;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1]!;
}

/** The error a tRPC answer carries, as the web app would show it. */
function errorOf(status: number, body: unknown): string {
  const message = (body as { error?: { message?: unknown } } | null)?.error?.message;
  return typeof message === "string" ? message : `HTTP ${status} without a tRPC error`;
}

/** One simulated person's connection to the server: their cookie, and the calls they made. */
class Person {
  #cookie = "";

  constructor(
    readonly index: number,
    readonly email: string,
    private readonly options: LoadOptions,
    private readonly record: (path: string, call: CallRecord) => void,
  ) {}

  /** Calls `path` (a mutation when `input` goes in the body) and answers its data, or null after a recorded failure. */
  async call<T>(path: string, kind: "query" | "mutation", input: unknown): Promise<T | null> {
    const started = performance.now();
    const { url, timeoutMs = 30_000 } = this.options;
    try {
      const headers: Record<string, string> = this.#cookie ? { cookie: this.#cookie } : {};
      const response =
        kind === "query"
          ? await fetch(`${url}/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`, { headers, signal: AbortSignal.timeout(timeoutMs) })
          : await fetch(`${url}/trpc/${path}`, {
              method: "POST",
              headers: { ...headers, "content-type": "application/json", [CSRF_HEADER]: "1" },
              body: JSON.stringify(input),
              signal: AbortSignal.timeout(timeoutMs),
            });
      const body = (await response.json().catch(() => null)) as { result?: { data?: unknown } } | null;
      const setCookie = response.headers.getSetCookie().find((cookie) => cookie.startsWith(`${SESSION_COOKIE}=`));
      if (setCookie) this.#cookie = setCookie.split(";")[0]!;
      if (!response.ok || !body?.result) {
        this.record(path, { ms: performance.now() - started, error: errorOf(response.status, body) });
        return null;
      }
      this.record(path, { ms: performance.now() - started, error: null });
      return body.result.data as T;
    } catch (error) {
      const cause = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
      this.record(path, { ms: performance.now() - started, error: `no answer: ${cause}` });
      return null;
    }
  }
}

/** The page size people browse the list with. */
const BROWSE_PAGE = 20;

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const stop = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", stop);
      resolve();
    }, ms);
    signal?.addEventListener("abort", stop, { once: true });
  });

/**
 * One person's session: take the next example of the commentary queue and read it, then
 * autosave it every `saveEveryMs` and, between saves, browse: load a page of the project's
 * list, or, every other time, one example from it; until `deadline.at` (and {@link LoadOptions.minSavesPerPerson} saves). After a failed save the example is read again for its head
 * (the save may have landed even though its answer was lost) before the next autosave.
 */
async function work(person: Person, options: LoadOptions, deadline: { at: number }, saves: AcknowledgedSave[]): Promise<void> {
  const { projectSlug } = options.team;
  const claim = await person.call<{ exampleId: string | null }>("claims.next", "mutation", { projectSlug, role: "commentator" });
  if (!claim?.exampleId) return;
  const exampleId = claim.exampleId;
  let head = (await person.call<{ head: { id: string } }>("examples.get", "query", { exampleId }))?.head.id ?? null;
  let n = 0;
  let browsed: string[] = [];
  let acknowledged = 0;
  const minimum = options.minSavesPerPerson ?? 0;
  const goOn = () => !options.signal?.aborted && (Date.now() < deadline.at || acknowledged < minimum);
  while (goOn()) {
    const wait = options.saveEveryMs * (0.75 + Math.random() * 0.5);
    const browseAt = Date.now() + wait / 2;
    await sleep(browseAt - Date.now(), options.signal);
    // Browsing: every other pause a page of the list, else one of its examples.
    if (browsed.length === 0 || n % 2 === 0) {
      const page = await person.call<{ items: { id: string }[] }>("examples.list", "query", { projectSlug, limit: BROWSE_PAGE });
      browsed = page?.items.map((item) => item.id) ?? browsed;
    } else {
      await person.call("examples.get", "query", { exampleId: browsed[Math.floor(Math.random() * browsed.length)] });
    }
    await sleep(browseAt + wait / 2 - Date.now(), options.signal);
    if (!goOn()) break;
    if (head === null) head = (await person.call<{ head: { id: string } }>("examples.get", "query", { exampleId }))?.head.id ?? null;
    if (head === null) continue;
    n += 1;
    const saved = await person.call<{ id: string; number: number; text: string }>("examples.save", "mutation", {
      exampleId,
      baseRevisionId: head,
      doc: loadDoc(person.index, n),
    });
    if (saved) {
      const save = { exampleId, revisionId: saved.id, number: saved.number, text: saved.text };
      saves.push(save);
      acknowledged += 1;
      options.onSave?.(save);
      head = saved.id;
    } else {
      head = null;
    }
  }
}

/**
 * Runs the load: signs the team in wave by wave ({@link LoadOptions.loginWave} at once), each
 * person starting to work as soon as their wave is in, and answers the figures once every
 * person has stopped, {@link LoadOptions.durationMs} after the last wave was in.
 */
export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const records = new Map<string, CallRecord[]>();
  const record = (path: string, call: CallRecord) => {
    let list = records.get(path);
    if (!list) records.set(path, (list = []));
    list.push(call);
  };
  const saves: AcknowledgedSave[] = [];
  const people = options.team.emails.map((email, index) => new Person(index, email, options, record));
  const wave = options.loginWave ?? 20;
  const started = performance.now();
  const working: Promise<void>[] = [];
  // The early waves start working at once; everyone stops `durationMs` after the last wave is
  // in, so that the whole team is at work for at least that long.
  const deadline = { at: Number.POSITIVE_INFINITY };
  for (let first = 0; first < people.length; first += wave) {
    const group = people.slice(first, first + wave);
    await Promise.all(group.map((person) => person.call("auth.login", "mutation", { email: person.email, password: LOAD_PASSWORD })));
    working.push(...group.map((person) => work(person, options, deadline, saves)));
  }
  deadline.at = Date.now() + options.durationMs;
  await Promise.all(working);
  const seconds = (performance.now() - started) / 1000;
  const operations: Record<string, OperationStats> = {};
  const errorMessages: Record<string, number> = {};
  for (const [path, calls] of records) {
    const ms = calls.map((call) => call.ms);
    const failed = calls.filter((call) => call.error !== null);
    for (const call of failed) errorMessages[`${path}: ${call.error}`] = (errorMessages[`${path}: ${call.error}`] ?? 0) + 1;
    operations[path] = {
      calls: calls.length,
      errors: failed.length,
      p50: percentile(ms, 50),
      p95: percentile(ms, 95),
      p99: percentile(ms, 99),
      perSecond: calls.length / seconds,
    };
  }
  const lockedErrors = Object.entries(errorMessages)
    .filter(([message]) => /database is locked/i.test(message))
    .reduce((sum, [, count]) => sum + count, 0);
  return { operations, errorMessages, lockedErrors, saves, seconds };
}

/**
 * The acknowledged saves the database does not hold as acknowledged: the revision is missing,
 * belongs to another example, has another number or another text, or the example's head is
 * older than the newest acknowledged revision. Empty when nothing was lost.
 */
export async function findLostSaves(db: Db, saves: readonly AcknowledgedSave[]): Promise<string[]> {
  const lost: string[] = [];
  const stored = new Map<string, { exampleId: string; number: number; text: string }>();
  const ids = saves.map((save) => save.revisionId);
  for (let first = 0; first < ids.length; first += 500) {
    const rows = await db.revision.findMany({
      where: { id: { in: ids.slice(first, first + 500) } },
      select: { id: true, exampleId: true, number: true, text: true },
    });
    for (const row of rows) stored.set(row.id, row);
  }
  const newest = new Map<string, number>();
  for (const save of saves) {
    const row = stored.get(save.revisionId);
    if (!row) lost.push(`revision ${save.revisionId} (save ${save.number} of example ${save.exampleId}) is missing`);
    else if (row.exampleId !== save.exampleId || row.number !== save.number || row.text !== save.text) {
      lost.push(`revision ${save.revisionId} of example ${save.exampleId} differs from what its save acknowledged`);
    }
    newest.set(save.exampleId, Math.max(newest.get(save.exampleId) ?? 0, save.number));
  }
  const heads = await db.example.findMany({
    where: { id: { in: [...newest.keys()] } },
    select: { id: true, headRevision: { select: { number: true } } },
  });
  for (const example of heads) {
    const acknowledged = newest.get(example.id) ?? 0;
    if ((example.headRevision?.number ?? 0) < acknowledged) {
      lost.push(`example ${example.id}'s head is revision ${example.headRevision?.number ?? "none"}, older than the acknowledged ${acknowledged}`);
    }
  }
  return lost;
}
