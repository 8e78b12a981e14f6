/**
 * Fuzzes every procedure of the router over HTTP, as a global admin and as an ordinary
 * project author: fast-check starts from one valid input per procedure and replaces fields
 * (or the whole input) with huge strings, deeply nested JSON, lone surrogates, NUL
 * characters, wrong types, prototype keys and hostile editor documents. Every answer must be
 * a success or a 4xx whose message a person can read, must arrive within a second, and no
 * call may change a bystander project the callers have no business in. Procedures are read
 * from the router, so a new one is fuzzed without editing this file.
 */
import { textToDoc } from "@prealign/core";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import type { Db } from "./db/database.ts";
import { appRouter } from "./router.ts";
import { CSRF_HEADER } from "./server.ts";
import type { ActiveSession } from "./services/sessions.ts";
import { createTestDatabase, type TestDatabase } from "./test/database.ts";
import { projectWithMembers, signedInUser, TEST_PASSWORD } from "./test/fixtures.ts";
import { mutate, query, sessionCookie, startTestServer, type TestServer, type TrpcAnswer } from "./test/http.ts";
import type { Access } from "./trpc.ts";

/**
 * Fuzzed inputs per run of this file, shared out over every procedure and caller (at least
 * {@link MIN_RUNS} each, besides the unchanged valid input), so that the file's running time
 * stays the same as the router grows. Each run draws other inputs: coverage builds up over runs.
 */
const INPUTS_PER_FILE = 250;

/** The fewest fuzzed inputs any procedure gets from one caller. */
const MIN_RUNS = 3;

/**
 * The longest any answer may take. Not a benchmark: the server answers everyone on one event
 * loop, so a request that holds it for seconds holds up every other person too.
 */
const ANSWER_WITHIN_MS = 1_000;

/** When a request is given up as hanging (it then fails instead of blocking the suite). */
const HANG_AFTER_MS = 10_000;

/** A message longer than this is not one a person reads (it echoes the input, or lists thousands of issues). */
const MAX_MESSAGE_LENGTH = 1_000;

/** What a procedure of the router looks like at run time (`_def.procedures` is flat). */
interface ProcedureDefinition {
  _def: { type: "query" | "mutation" | "subscription"; inputs: unknown[]; meta?: { access?: Access } };
}

/** Every procedure by its dotted path. */
const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, ProcedureDefinition>);

/** The input fields a procedure reads: its object schemas' keys and the field its access rule reads. */
function inputFieldsOf(procedure: ProcedureDefinition): string[] {
  const fields = new Set<string>();
  for (const schema of procedure._def.inputs) {
    if (schema instanceof z.ZodObject) for (const key of Object.keys(schema.shape)) fields.add(key);
  }
  const access = procedure._def.meta?.access;
  if (typeof access === "object") fields.add(access.via);
  return [...fields];
}

/** A JSON value small enough to write with `JSON.stringify`. */
type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * What replaces a field, described rather than built, so that fast-check prints (and shrinks)
 * a short description instead of megabytes of text. {@link jsonTextOf} writes the JSON text.
 */
type Payload =
  | { kind: "value"; value: JsonValue }
  | { kind: "json text"; text: string }
  | { kind: "huge string"; unit: string; repeat: number }
  | { kind: "deep"; shape: "arrays" | "objects" | "__proto__ objects" | "AI spans"; levels: number }
  | { kind: "wide"; shape: "array of zeros" | "array of empty objects" | "object of keys"; count: number }
  | { kind: "marked text"; marks: number; sameId: boolean }
  | { kind: "document of many"; node: "text runs" | "paragraphs" | "line breaks" | "AI spans with one id"; count: number }
  | { kind: "as JSON text"; of: Payload };

/** One change to the valid input: `at` is a dotted path ("" for the whole input); its last key may be new. */
interface Mutation {
  at: string;
  payload: Payload;
}

/** `count` items joined by commas, as the inside of a JSON array or object. */
function repeatJoined(count: number, item: (index: number) => string): string {
  const items = new Array<string>(count);
  for (let index = 0; index < count; index += 1) items[index] = item(index);
  return items.join(",");
}

/** A document of one paragraph holding `content` (JSON text of its nodes). */
const paragraphOf = (content: string) => `{"type":"doc","content":[{"type":"paragraph","content":[${content}]}]}`;

/**
 * The JSON text of a payload, written by concatenation: `JSON.stringify` of a value nested
 * tens of thousands of levels deep would overflow the stack before the server ever saw it.
 */
function payloadText(payload: Payload): string {
  switch (payload.kind) {
    case "value":
      return JSON.stringify(payload.value);
    case "json text":
      return payload.text;
    case "huge string":
      return JSON.stringify(payload.unit.repeat(payload.repeat));
    case "deep": {
      const { levels } = payload;
      if (payload.shape === "arrays") return "[".repeat(levels) + "]".repeat(levels);
      if (payload.shape === "objects") return '{"a":'.repeat(levels) + "1" + "}".repeat(levels);
      if (payload.shape === "__proto__ objects") return '{"__proto__":'.repeat(levels) + "{}" + "}".repeat(levels);
      return paragraphOf('{"type":"ai","attrs":{"id":"deep"},"content":['.repeat(levels) + '{"type":"text","text":"x"}' + "]}".repeat(levels));
    }
    case "wide":
      if (payload.shape === "array of zeros") return `[${"0,".repeat(payload.count)}0]`;
      if (payload.shape === "array of empty objects") return `[${"{},".repeat(payload.count)}{}]`;
      return `{${repeatJoined(payload.count, (index) => `"k${index}":0`)}}`;
    case "marked text": {
      const marks = repeatJoined(payload.marks, (index) => `{"type":"bad_behaviour","attrs":{"id":"${payload.sameId ? "m" : `m${index}`}","category":"deceit"}}`);
      return paragraphOf(`{"type":"text","text":"marked","marks":[${marks}]}`);
    }
    case "document of many": {
      const { count } = payload;
      if (payload.node === "text runs") return paragraphOf(repeatJoined(count, (index) => `{"type":"text","text":"${index % 2 ? "a" : "b"}"}`));
      if (payload.node === "line breaks") return paragraphOf(repeatJoined(count, () => '{"type":"hard_break"}'));
      if (payload.node === "AI spans with one id") return paragraphOf(repeatJoined(count, () => '{"type":"ai","attrs":{"id":"same"},"content":[{"type":"text","text":"x"}]}'));
      return `{"type":"doc","content":[${repeatJoined(count, () => '{"type":"paragraph","content":[{"type":"text","text":"p"}]}')}]}`;
    }
    case "as JSON text":
      return JSON.stringify(payloadText(payload.of));
  }
}

/**
 * The JSON text of `base` with `mutations` applied, or undefined for no input at all. Each
 * mutated spot first holds a unique placeholder string, which is then replaced in the text by
 * the payload's JSON text. A mutation whose parent was itself replaced is skipped.
 */
function jsonTextOf(base: JsonValue | undefined, mutations: readonly Mutation[]): string | undefined {
  let tree: unknown = base === undefined ? undefined : structuredClone(base);
  const slots: { placeholder: string; text: string }[] = [];
  for (const [index, mutation] of mutations.entries()) {
    const placeholder = `@@fuzz-slot-${index}@@`;
    const keys = mutation.at === "" ? [] : mutation.at.split(".");
    const last = keys.pop();
    if (last === undefined) {
      tree = placeholder;
      slots.length = 0;
    } else {
      let parent: unknown = tree;
      for (const key of keys) parent = typeof parent === "object" && parent !== null && Object.hasOwn(parent, key) ? (parent as Record<string, unknown>)[key] : undefined;
      if (typeof parent !== "object" || parent === null) continue;
      // defineProperty, not assignment: assigning to "__proto__" would set the prototype instead of adding the key.
      Object.defineProperty(parent, last, { value: placeholder, enumerable: true, writable: true, configurable: true });
    }
    slots.push({ placeholder: JSON.stringify(placeholder), text: payloadText(mutation.payload) });
  }
  if (tree === undefined) return undefined;
  let text = JSON.stringify(tree);
  for (const { placeholder, text: payload } of slots) text = text.split(placeholder).join(payload);
  return text;
}

/** Every dotted path into a JSON value ("" is the value itself), and every object's path. */
function pathsOf(value: unknown, prefix = ""): { all: string[]; objects: string[] } {
  const all = [prefix];
  const objects: string[] = [];
  if (typeof value === "object" && value !== null) {
    if (!Array.isArray(value)) objects.push(prefix);
    for (const [key, child] of Object.entries(value)) {
      const inner = pathsOf(child, prefix === "" ? key : `${prefix}.${key}`);
      all.push(...inner.all);
      objects.push(...inner.objects);
    }
  }
  return { all, objects };
}

/** Strings that have broken servers: lone surrogates, NUL, prototype names, tags, injections. */
const NASTY_STRINGS = [
  "\uD800",
  "\uDFFF",
  "a\uDC00b",
  "\u0000",
  "slug\u0000",
  "",
  " ",
  "\n",
  "\r\n",
  "\u2028",
  "\uFEFF",
  "😀",
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "hasOwnProperty",
  "<AI>",
  "</AI_quoting_human>",
  "' OR '1'='1",
  '"; DROP TABLE "User"; --',
  "%00",
  "../../etc/passwd",
  "\\",
  "a".repeat(65),
  "a".repeat(257),
  `${"a".repeat(320)}@example.org`,
];

/** JSON texts `JSON.stringify` cannot write: literal `__proto__` keys, numbers that parse to Infinity. */
const NASTY_JSON_TEXTS = [
  '{"__proto__":{"isAdmin":true}}',
  '{"__proto__":null}',
  '{"constructor":{"prototype":{"isAdmin":true}}}',
  '{"prototype":{"toString":1}}',
  '[{"__proto__":[]}]',
  "1e999",
  "-1e999",
  "-0",
  "123456789012345678901234567890",
];

/** Editor-document nodes the schema does not know or must refuse, for any spot inside `doc`. */
const NASTY_NODES = [
  '{"type":"table"}',
  '{"type":"__proto__"}',
  '{"type":"constructor","content":[]}',
  '{"type":"toString","text":"x"}',
  '{"type":"hasOwnProperty"}',
  '{"type":"bad_behaviour"}',
  '{"type":"quote_unaligned_ai","content":[{"type":"text","text":"q"}]}',
  '{"type":"doc","content":[{"type":"paragraph"}]}',
  '{"type":"text","text":"line one\\nline two"}',
  '{"type":"text","text":"a\\r\\nb\\rc\\u2028d"}',
  '{"type":"text","text":""}',
  '{"type":"text"}',
  '{"type":"text","text":"<AI>not a tag</AI>"}',
  '{"type":"text","text":"x","marks":[{"type":"strong"}]}',
  '{"type":"text","text":"x","marks":{"length":1}}',
  '{"type":"text","text":"x","marks":[{"type":"bad_behaviour","attrs":{"__proto__":{"category":"deceit"},"id":"m"}}]}',
  '{"type":"text","text":"x","marks":[{"type":"bad_behaviour","attrs":{"id":"m","category":"__proto__"}}]}',
  '{"type":"text","text":"x","marks":[{"type":"bad_behaviour","attrs":{"id":"","category":"deceit","commentary":"ai-404"}}]}',
  '{"type":"text","text":"x","constructor":{"prototype":{"polluted":true}}}',
  '{"__proto__":{"type":"text","text":"x"}}',
  '{"type":"hard_break","attrs":{"text":"not a line break"}}',
  '{"type":"ai","attrs":{"id":"__proto__"},"content":[]}',
  '{"type":"ai","content":[{"type":"text","text":"no id"}]}',
  '{"type":"paragraph","attrs":{"lineBreak":"\\r"},"content":[]}',
];

/** Values naming the bystander project's rows, which fuzzed inputs may carry in any field. */
interface ForeignValues {
  /** Its members' ids and email and its revisions' ids, sent to both callers: no field may lead from them into it. */
  anyCaller: string[];
  /** Its slug and example id, sent only to the author, who is no member; a global admin may rightly change the project. */
  outsiderOnly: string[];
}

/**
 * A payload for any spot of any input, now and then sent as JSON text inside a string: the web
 * app sends `doc` that way, and the server parses it on a worker thread.
 */
function payloadArbitrary(foreign: string[]): fc.Arbitrary<Payload> {
  const payload = plainPayloadArbitrary(foreign);
  return fc.oneof({ weight: 5, arbitrary: payload }, { weight: 1, arbitrary: payload.map((of): Payload => ({ kind: "as JSON text", of })) });
}

/** A payload written as it is: a value, hostile JSON text, or something huge, deep or wide. */
function plainPayloadArbitrary(foreign: string[]): fc.Arbitrary<Payload> {
  const value = fc.oneof(
    fc.constantFrom<JsonValue>(0, -1, 1, 1.5, 1e308, 2 ** 53 + 2, true, false, null, [], {}, [1, "two"], { a: 1 }, ["reviewer", "reviewer"]),
    fc.constantFrom(...NASTY_STRINGS),
    fc.string({ unit: "binary", maxLength: 40 }),
    fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<JsonValue>,
    ...(foreign.length > 0 ? [fc.constantFrom(...foreign)] : []),
  );
  return fc.oneof(
    { weight: 5, arbitrary: value.map((chosen): Payload => ({ kind: "value", value: chosen })) },
    { weight: 2, arbitrary: fc.constantFrom(...NASTY_JSON_TEXTS, ...NASTY_NODES).map((text): Payload => ({ kind: "json text", text })) },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant("huge string" as const),
        unit: fc.constantFrom("a", "é", "😀", "\n", "<AI>", "\\", '"'),
        repeat: fc.integer({ min: 200_000, max: 2_000_000 }),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant("deep" as const),
        shape: fc.constantFrom("arrays" as const, "objects" as const, "__proto__ objects" as const, "AI spans" as const),
        levels: fc.integer({ min: 10_000, max: 100_000 }),
      }),
    },
    {
      // Up to the 10 MB body limit: millions of values, each of which the server parses and walks.
      weight: 1,
      arbitrary: fc.oneof(
        fc.record({
          kind: fc.constant("wide" as const),
          shape: fc.constantFrom("array of zeros" as const, "array of empty objects" as const),
          count: fc.integer({ min: 10_000, max: 3_400_000 }),
        }),
        fc.record({ kind: fc.constant("wide" as const), shape: fc.constant("object of keys" as const), count: fc.integer({ min: 10_000, max: 800_000 }) }),
      ),
    },
    {
      weight: 2,
      arbitrary: fc.record({ kind: fc.constant("marked text" as const), marks: fc.integer({ min: 10_000, max: 50_000 }), sameId: fc.boolean() }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant("document of many" as const),
        node: fc.constantFrom("text runs" as const, "paragraphs" as const, "line breaks" as const, "AI spans with one id" as const),
        count: fc.integer({ min: 10_000, max: 150_000 }),
      }),
    },
  );
}

/** One to three mutations of `base`: replaced values anywhere, or prototype keys added to its objects. */
function mutationsArbitrary(base: JsonValue | undefined, foreign: string[]): fc.Arbitrary<Mutation[]> {
  const { all, objects } = pathsOf(base);
  const payload = payloadArbitrary(foreign);
  const replaced = fc.record({ at: fc.constantFrom(...all), payload });
  const added = fc.record({
    at: fc
      .tuple(fc.constantFrom(...(objects.length > 0 ? objects : [""])), fc.constantFrom("__proto__", "constructor", "prototype"))
      .map(([parent, key]) => (parent === "" ? key : `${parent}.${key}`)),
    payload,
  });
  const mutation = objects.length > 0 ? fc.oneof({ weight: 4, arbitrary: replaced }, { weight: 1, arbitrary: added }) : replaced;
  // Bounded shrinking: each step is a request, and a minimal example needs few steps here.
  return fc.limitShrink(fc.array(mutation, { minLength: 1, maxLength: 3 }), 20);
}

/** An answer as the test saw it. */
interface Answer {
  status: number;
  body: string;
  milliseconds: number;
}

type ProcedureType = "query" | "mutation" | "subscription";

/**
 * A subscription's server-sent events as the JSON answer of a query: its first error event
 * (`serialized-error`, with the error's HTTP status) as a tRPC error, or else a result.
 */
function fromEvents(answer: Answer): Answer {
  for (const block of answer.body.split("\n\n")) {
    const lines = block.split("\n");
    if (!lines.includes("event: serialized-error")) continue;
    const data = lines.filter((line) => line.startsWith("data: ")).map((line) => line.slice(6)).join("\n");
    const error = JSON.parse(data) as { message?: string; data?: { httpStatus?: number } };
    return { ...answer, status: error.data?.httpStatus ?? 500, body: JSON.stringify({ error }) };
  }
  return { ...answer, body: JSON.stringify({ result: answer.body }) };
}

/**
 * Sends one call with `inputText` as its raw JSON input, as the web app would (POST for
 * mutations, GET with the input in the URL for queries). The body and URL are built before the
 * clock starts, so that the time is the server's (and the loopback's), not the test's.
 */
async function send(baseUrl: string, path: string, type: ProcedureType, inputText: string | undefined, cookie: string): Promise<Answer> {
  const inURL = type !== "mutation" && inputText !== undefined;
  const url = `${baseUrl}/trpc/${path}${inURL ? `?input=${encodeURIComponent(inputText)}` : ""}`;
  const init: RequestInit =
    type === "mutation"
      ? { method: "POST", headers: { "content-type": "application/json", [CSRF_HEADER]: "1", cookie }, ...(inputText === undefined ? {} : { body: new TextEncoder().encode(inputText) }) }
      : { headers: { cookie, ...(type === "subscription" ? { accept: "text/event-stream" } : {}) } };
  const started = performance.now();
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(HANG_AFTER_MS) });
  const body = await response.text();
  const answer = { status: response.status, body, milliseconds: performance.now() - started };
  return response.headers.get("content-type")?.startsWith("text/event-stream") ? fromEvents(answer) : answer;
}

const STACK_TRACE = /\n\s+at |\bat \S+ \(.*:\d+:\d+\)|node_modules|\.[cm]?[jt]s:\d+/;
const GENERIC_MESSAGE = /something went wrong|internal server error|^client error$|^bad request$/i;

function excerpt(text: string, length = 160): string {
  return text.length <= length ? JSON.stringify(text) : `${JSON.stringify(text.slice(0, length))}… (${text.length.toLocaleString("en")} characters)`;
}

/** What is wrong with an answer, or null when it is what the user should get. */
function problemWith(answer: Answer): string | null {
  const { status, milliseconds } = answer;
  let body: { result?: unknown; error?: { message?: unknown; data?: { stack?: unknown } } };
  try {
    body = JSON.parse(answer.body) as typeof body;
  } catch {
    return `answered ${status} with a body that is not JSON: ${excerpt(answer.body)}`;
  }
  const message = typeof body.error?.message === "string" ? body.error.message : null;
  if (status >= 500) return `answered ${status} (a server error): ${excerpt(message ?? answer.body)}`;
  if (status >= 200 && status < 300) {
    if (!("result" in body)) return `answered ${status} without a result: ${excerpt(answer.body)}`;
  } else if (status >= 400 && status < 500) {
    if (message === null) return `answered ${status} without a tRPC error message the web app can show: ${excerpt(answer.body)}`;
    if (message.trim() === "") return `answered ${status} with an empty message`;
    if (message.length > MAX_MESSAGE_LENGTH) return `answered ${status} with a message no person reads: ${excerpt(message)}`;
    if (GENERIC_MESSAGE.test(message.trim())) return `answered ${status} with a generic message: ${excerpt(message)}`;
    if (STACK_TRACE.test(message) || body.error?.data?.stack !== undefined) return `answered ${status} with a stack trace: ${excerpt(message)}`;
  } else {
    return `answered ${status}: ${excerpt(answer.body)}`;
  }
  if (milliseconds > ANSWER_WITHIN_MS) return `answered ${status} after ${Math.round(milliseconds)} ms: ${excerpt(message ?? answer.body)}`;
  return null;
}

/** Every row of the bystander project and of its members' accounts, in a stable order. */
async function bystanderRows(db: Db, projectId: string, memberIds: string[]) {
  // No `select` on purpose: every column, so that a column added later is compared too.
  const examples = await db.example.findMany({ where: { projectId }, orderBy: { id: "asc" } });
  const exampleIds = examples.map((example) => example.id);
  return {
    project: await db.project.findUnique({ where: { id: projectId } }),
    examples,
    revisions: await db.revision.findMany({ where: { exampleId: { in: exampleIds } }, orderBy: { id: "asc" } }),
    memberships: await db.membership.findMany({ where: { projectId }, orderBy: { id: "asc" } }),
    guidelines: await db.guideline.findMany({ where: { projectId }, orderBy: { id: "asc" } }),
    auditEvents: await db.auditEvent.findMany({ where: { OR: [{ projectId }, { exampleId: { in: exampleIds } }] }, orderBy: { id: "asc" } }),
    accounts: await db.user.findMany({ where: { id: { in: memberIds } }, orderBy: { id: "asc" } }),
  };
}

let database: TestDatabase;
let server: TestServer;
let callers: Record<"global admin" | "project author", ActiveSession>;
let exampleId: string;
let sharedInput: Record<string, JsonValue>;
let foreign: ForeignValues;
let bystander: { id: string; memberIds: string[]; before: Awaited<ReturnType<typeof bystanderRows>> };

/** The editor document every valid save starts from: spans, a quote, a bad-behaviour mark, two paragraphs. */
function validDocument(): JsonValue {
  const converted = textToDoc('Can you help? <AI>Yes. You said "<AI_quoting_human>help</AI_quoting_human>".</AI>\nThanks.');
  if (!converted.ok) throw new Error("The sample text must convert");
  const json = converted.doc.toJSON() as { content: { content: { marks?: JsonValue }[] }[] };
  json.content[0]!.content[0]!.marks = [{ type: "bad_behaviour", attrs: { id: "m1", category: "deceit", commentary: "ai-1" } }];
  return json as unknown as JsonValue;
}

/** The data of a successful call; fails the setup with the server's message otherwise. */
function dataOf<T>(answer: TrpcAnswer, what: string): T {
  if (answer.body.result === undefined) throw new Error(`Setup: ${what} failed with ${answer.status}: ${answer.body.error?.message}`);
  return answer.body.result.data as T;
}

/** A new draft in the project, made over HTTP by `cookie`'s holder: its id and first revision's id. */
async function newDraft(projectSlug: string, cookie: string): Promise<{ exampleId: string; headRevisionId: string }> {
  const { id } = dataOf<{ id: string }>(await mutate(server.url, "examples.create", { projectSlug }, cookie), "examples.create");
  const example = dataOf<{ head: { id: string } }>(await query(server.url, "examples.get", { exampleId: id }, cookie), "examples.get");
  return { exampleId: id, headRevisionId: example.head.id };
}

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  server = await startTestServer(db);

  // The bystander project is set up through the API, as its members would.
  const bystanderAdmin = await signedInUser(db, { name: "Bystander admin" });
  const bystanderAuthor = await signedInUser(db, { name: "Bystander author" });
  const bystanderProject = await projectWithMembers(db, [
    { session: bystanderAdmin, roles: ["admin"] },
    { session: bystanderAuthor, roles: ["author", "reviewer"] },
  ]);
  const bystanderCookie = await sessionCookie(db, bystanderAuthor.user.id);
  const bystanderDraft = await newDraft(bystanderProject.slug, bystanderCookie);
  const saved = dataOf<{ id: string }>(
    await mutate(server.url, "examples.save", { exampleId: bystanderDraft.exampleId, baseRevisionId: bystanderDraft.headRevisionId, doc: validDocument() }, bystanderCookie),
    "examples.save",
  );
  dataOf(
    await mutate(server.url, "guidelines.update", { projectSlug: bystanderProject.slug, markdown: "# Bystander rules" }, await sessionCookie(db, bystanderAdmin.user.id)),
    "guidelines.update",
  );
  const memberIds = [bystanderAdmin.user.id, bystanderAuthor.user.id];
  bystander = { id: bystanderProject.id, memberIds, before: await bystanderRows(db, bystanderProject.id, memberIds) };
  foreign = {
    anyCaller: [...memberIds, bystanderDraft.headRevisionId, saved.id, bystanderAdmin.user.email],
    outsiderOnly: [bystanderProject.slug, bystanderDraft.exampleId],
  };

  const author = await signedInUser(db, { name: "Fuzzed author" });
  const target = await signedInUser(db, { name: "Target" });
  callers = { "global admin": await signedInUser(db, { isAdmin: true, name: "Fuzzing admin" }), "project author": author };
  const project = await projectWithMembers(db, [
    { session: author, roles: ["author"] },
    { session: target, roles: ["reviewer"] },
  ]);
  // A draft, so that the author's saves reach the document checks too.
  const draft = await newDraft(project.slug, await sessionCookie(db, author.user.id));
  exampleId = draft.exampleId;
  // One value per input field that every procedure accepts (zod drops the fields a procedure does not name).
  sharedInput = {
    projectSlug: project.slug,
    exampleId,
    baseRevisionId: draft.headRevisionId,
    revisionId: draft.headRevisionId,
    doc: validDocument(),
    email: target.user.email,
    password: TEST_PASSWORD,
    name: "Fuzzed",
    slug: `fuzzed-${Date.now().toString(36)}`,
    role: "commentator",
    roles: ["reviewer", "commentator"],
    userId: target.user.id,
    markdown: "# Rules",
    baseVersion: null,
    stage: "draft",
    cursor: exampleId,
    limit: 10,
    isAdmin: false,
    settings: {},
    flagId: exampleId,
    decision: "dismissed",
    start: 0,
    end: 4,
    comment: "Fuzzed comment",
    body: "Fuzzed comment",
    reason: "Fuzzed reason",
  };
  // The first requests of a process are slow (JIT, connection pool); they are not what is timed.
  await fetch(`${server.url}/healthz`);
});

afterAll(async () => {
  await server?.close();
  await database?.drop();
});

/** The valid input of a procedure: the shared values of the fields it reads. */
function validInputFor(fields: string[], input: Record<string, JsonValue>): JsonValue | undefined {
  if (fields.length === 0) return undefined;
  return Object.fromEntries(fields.filter((field) => field in input).map((field) => [field, input[field]!]));
}

/** The inputs tried first: the valid input unchanged, and with its document as JSON text, as the web app sends it. */
function validExamples(fields: string[]): [Mutation[]][] {
  const asText: Mutation = { at: "doc", payload: { kind: "as JSON text", of: { kind: "value", value: sharedInput.doc! } } };
  return fields.includes("doc") ? [[[]], [[asText]]] : [[[]]];
}

const cases = procedures.flatMap(([path, procedure]) =>
  (["global admin", "project author"] as const).map((caller) => ({ path, caller, procedure })),
);

const runsPerCase = Math.max(MIN_RUNS, Math.ceil(INPUTS_PER_FILE / cases.length));

describe("every procedure, fuzzed over HTTP", () => {
  it("is fuzzed (the router is walked)", () => {
    expect(procedures.length).toBeGreaterThan(15);
    // `send` knows how to call each of these (a subscription as server-sent events).
    expect(procedures.every(([, procedure]) => ["query", "mutation", "subscription"].includes(procedure._def.type))).toBe(true);
  });

  it.each(cases)("$path, called by a $caller, answers every input with a success or a readable 4xx within a second", async ({ path, caller, procedure }) => {
    const { db } = database;
    const fields = inputFieldsOf(procedure);
    const template = validInputFor(fields, sharedInput);
    const values = caller === "global admin" ? foreign.anyCaller : [...foreign.anyCaller, ...foreign.outsiderOnly];
    const type = procedure._def.type;
    await fc.assert(
      fc.asyncProperty(mutationsArbitrary(template, values), async (mutations) => {
        // The head moves with every accepted save; a current base lets valid saves reach the database.
        const head = await db.example.findUniqueOrThrow({ where: { id: exampleId }, select: { headRevisionId: true } });
        const valid = validInputFor(fields, { ...sharedInput, baseRevisionId: head.headRevisionId! });
        const inputText = jsonTextOf(valid, mutations);
        // A session of its own for every call: auth.login and auth.logout end the one they are sent with.
        const cookie = await sessionCookie(db, callers[caller].user.id);
        let answer: Answer;
        try {
          answer = await send(server.url, path, type, inputText, cookie);
        } catch (error) {
          throw new Error(`${path} gave no answer (${inputText?.length ?? 0} characters of input): ${String(error)}; cause: ${String((error as { cause?: unknown }).cause)}`);
        }
        const problem = problemWith(answer);
        if (problem) throw new Error(`${path} ${problem}`);
      }),
      { numRuns: runsPerCase, examples: validExamples(fields), interruptAfterTimeLimit: 10_000, markInterruptAsFailure: true },
    );
  }, 60_000);

  it("leaves the bystander project, its examples, revisions, memberships, audit events and members' accounts untouched", async () => {
    expect(await bystanderRows(database.db, bystander.id, bystander.memberIds)).toEqual(bystander.before);
  });

  it("still answers /healthz", async () => {
    const response = await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(HANG_AFTER_MS) });
    expect({ status: response.status, body: await response.json() }).toEqual({ status: 200, body: { status: "ok" } });
  });
});
