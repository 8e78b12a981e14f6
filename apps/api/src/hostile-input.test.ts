/**
 * Findings 1 to 4 of the hostile-input review (issue 10), reproduced over HTTP against a real
 * server: what one author can send must not stop the server, reach the database as malformed
 * text, or be stored in a form the codec would never produce.
 */
import { DOCUMENT_LIMITS, textToDoc } from "@prealign/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { excerptOf } from "./services/documents.ts";
import { createTestDatabase, type TestDatabase } from "./test/database.ts";
import { projectWithMembers, signedInUser } from "./test/fixtures.ts";
import { mutate, query, sessionCookie, startTestServer, type TestServer } from "./test/http.ts";

let database: TestDatabase;
let server: TestServer;
let cookie: string;
let projectSlug: string;

beforeAll(async () => {
  database = await createTestDatabase();
  server = await startTestServer(database.db);
  const author = await signedInUser(database.db);
  projectSlug = (await projectWithMembers(database.db, [{ session: author, roles: ["author"] }])).slug;
  cookie = await sessionCookie(database.db, author.user.id);
});

afterAll(async () => {
  await server?.close();
  await database?.drop();
});

/** A new draft: its id and the id of its first revision. */
async function newDraft(): Promise<{ exampleId: string; baseRevisionId: string }> {
  const created = await mutate(server.url, "examples.create", { projectSlug }, cookie);
  if (!created.body.result) throw new Error(`examples.create: ${created.status} ${JSON.stringify(created.body)}`);
  const exampleId = (created.body.result.data as { id: string }).id;
  const example = await query(server.url, "examples.get", { exampleId }, cookie);
  return { exampleId, baseRevisionId: (example.body.result!.data as { head: { id: string } }).head.id };
}

function docOf(text: string): any {
  const converted = textToDoc(text);
  if (!converted.ok) throw new Error(`invalid test text ${text}`);
  // A deep copy: toJSON shares attribute objects with the node (and default attributes with the schema).
  return JSON.parse(JSON.stringify(converted.doc.toJSON()));
}

async function save(doc: unknown) {
  return mutate(server.url, "examples.save", { ...(await newDraft()), doc }, cookie);
}

/** Expects a 400 whose message matches `message`. */
function expectRefused(answer: Awaited<ReturnType<typeof save>>, message: RegExp): void {
  expect({ status: answer.status, message: answer.body.error?.message }).toEqual({ status: 400, message: expect.stringMatching(message) });
}

describe("finding 1: lists read stored excerpts, and a revision's size is capped", () => {
  it("stores the excerpt with each revision and lists it without reading the text", async () => {
    const text = "😀".repeat(200) + " and more";
    const { exampleId, baseRevisionId } = await newDraft();
    expect((await mutate(server.url, "examples.save", { exampleId, baseRevisionId, doc: docOf(text) }, cookie)).status).toBe(200);
    const stored = await database.db.revision.findFirstOrThrow({ where: { exampleId, number: 2 }, select: { excerpt: true } });
    expect(stored.excerpt).toBe("😀".repeat(160));
    expect(excerptOf(text)).toBe(stored.excerpt);
    const listed = await query(server.url, "examples.list", { projectSlug, limit: 200 }, cookie);
    const items = (listed.body.result!.data as { items: { id: string; excerpt: string }[] }).items;
    expect(items.find((item) => item.id === exampleId)?.excerpt).toBe("😀".repeat(160));
  });

  it("refuses a revision over the character limit with a message that says what to do", async () => {
    const answer = await save(docOf("x".repeat(DOCUMENT_LIMITS.characters + 1)));
    expectRefused(answer, /more than 100,000 characters\. Split the example into several shorter examples\./);
  });

  it("refuses a revision over the node limit", async () => {
    const lines = Array.from({ length: DOCUMENT_LIMITS.nodes }, () => "a").join("\n");
    expectRefused(await save(docOf(lines)), /more than 8,000 parts/);
  });
});

describe("finding 2: a save cannot hold the server", () => {
  it("refuses 10,000 distinct marks on one text node at once, and keeps answering", async () => {
    const marks = Array.from({ length: 10_000 }, (_, i) => ({ type: "bad_behaviour", attrs: { id: `m${i}`, category: "deceit", commentary: null } }));
    const doc = { type: "doc", content: [{ type: "paragraph", content: [{ type: "text", text: "bad", marks }] }] };
    // Before the fix this save held the event loop for about 11 s and was then stored.
    const [answer, health] = await Promise.all([save(doc), fetch(`${server.url}/healthz`)]);
    expectRefused(answer, /more than 32 overlapping bad-behaviour marks/);
    expect(health.status).toBe(200);
  });

  it("refuses a document nested deeper than any document can be, as JSON text or as an object", async () => {
    let deep: Record<string, unknown> = { type: "text", text: "x" };
    for (let level = 0; level < 1_000; level++) deep = { type: "ai", attrs: { id: `a${level}` }, content: [deep] };
    const doc = { type: "doc", content: [{ type: "paragraph", content: [deep] }] };
    expectRefused(await save(JSON.stringify(doc)), /nested more than 6 levels/);
    expectRefused(await save(doc), /^The request was not accepted: doc\.content\.0\.content\.0\.content.* is nested more than 32 levels deep/);
  });

  it("refuses deep nesting anywhere in any input before it reaches a worker or the database", async () => {
    const deep = JSON.parse("[".repeat(1_000) + "]".repeat(1_000)) as unknown;
    const doc = docOf("x");
    doc.content[0].attrs.lineBreak = deep;
    expectRefused(await save(doc), /is nested more than 32 levels deep/);
    expectRefused(await mutate(server.url, "auth.login", { email: deep, password: "x" }), /^The request was not accepted: email(\.0)+ is nested more than 32 levels deep/);
  });

  it("answers a huge body to a call that takes no document at once, with a tRPC error", async () => {
    const answer = await mutate(server.url, "auth.login", { email: "x".repeat(1024 * 1024), password: "x" });
    expect({ status: answer.status, message: answer.body.error?.message }).toEqual({
      status: 413,
      message: "The request is too large: the server accepts at most 64 KB for this call. Send less, or split it into several calls.",
    });
  });

  it("answers an address too long for HTTP with a tRPC error the web app can read", async () => {
    const answer = await query(server.url, "auth.me", "x".repeat(20_000));
    expect(answer.status).toBe(431);
    expect(answer.body.error?.message).toMatch(/address or headers are too long/);
  });
});

describe("finding 3: malformed Unicode is refused naming the field, never a 500", () => {
  it("in an anonymous sign-in", async () => {
    const answer = await mutate(server.url, "auth.login", { email: "a\uD800@example.org", password: "secret" });
    expectRefused(answer, /^The request was not accepted: email holds a lone surrogate/);
  });

  it("in a project name and a slug, with NUL", async () => {
    const admin = await signedInUser(database.db, { isAdmin: true });
    const adminCookie = await sessionCookie(database.db, admin.user.id);
    expectRefused(await mutate(server.url, "projects.create", { slug: "nul-name", name: "a\u0000b" }, adminCookie), /^The request was not accepted: name holds a NUL character/);
    expectRefused(await query(server.url, "projects.get", { projectSlug: "x\uDC00" }, adminCookie), /projectSlug holds a lone surrogate/);
  });

  it("in document text", async () => {
    const doc = docOf("fine");
    doc.content[0].content[0].text = "half \uD83D of an emoji";
    expectRefused(await save(doc), /doc\.content\.0\.content\.0\.text holds a lone surrogate/);
  });
});

describe("refusals quote no more than they need", () => {
  it("checks a project slug or example id before looking it up, so a huge one is neither looked up nor echoed", async () => {
    const longSlug = await mutate(server.url, "examples.create", { projectSlug: "a".repeat(60_000) }, cookie);
    expect(longSlug.status).toBe(400);
    expect(longSlug.body.error!.message.length).toBeLessThan(300);
    const longId = await mutate(server.url, "examples.save", { exampleId: "e".repeat(100_000), baseRevisionId: "r", doc: "{}" }, cookie);
    expect(longId.status).toBe(400);
    expect(longId.body.error!.message.length).toBeLessThan(300);
  });

  it("names an unknown node type or a malformed attribute without quoting it whole", async () => {
    const unknown = await save({ type: "doc", content: [{ type: "a".repeat(200_000) }] });
    expectRefused(unknown, /node name such as paragraph/);
    const doc = docOf("x");
    doc.content[0].content[0].marks = [{ type: "bad_behaviour", attrs: { id: "m", category: "c".repeat(100_000), commentary: null } }];
    const badCategory = await save(doc);
    expectRefused(badCategory, /attribute category is longer than 64 characters/);
    expect(badCategory.body.error!.message.length).toBeLessThan(400);
  });
});

describe("finding 4: only the codec's canonical form is stored", () => {
  const paragraph = (content: unknown[]) => ({ type: "paragraph", content });
  const text = (value: string, marks?: unknown[]) => ({ type: "text", text: value, ...(marks ? { marks } : {}) });

  it("refuses a raw line break in human text and a CRLF inside an AI text node", async () => {
    expectRefused(await save({ type: "doc", content: [paragraph([text("one\ntwo")])] }), /raw line break/);
    const ai = { type: "ai", attrs: { id: "ai-1" }, content: [text("x\r\ny")] };
    expectRefused(await save({ type: "doc", content: [paragraph([ai])] }), /raw line break/);
  });

  it("refuses one mark id with two categories, or with two commentary links", async () => {
    const mark = (category: string, commentary: string) => ({ type: "bad_behaviour", attrs: { id: "m1", category, commentary } });
    const withMarks = (first: unknown, second: unknown) => ({
      type: "doc",
      content: [paragraph([text("bad", [first]), text(" "), text("worse", [second]), { type: "ai", attrs: { id: "ai-1" } }, { type: "ai", attrs: { id: "ai-2" } }])],
    });
    expectRefused(await save(withMarks(mark("deceit", "ai-1"), mark("violence", "ai-1"))), /mark "m1" has two different categories or commentary links/);
    expectRefused(await save(withMarks(mark("deceit", "ai-1"), mark("deceit", "ai-2"))), /mark "m1" has two different categories or commentary links/);
  });

  it("stores the same texts in canonical form", async () => {
    for (const valid of ["one\ntwo", "<AI>x\r\ny</AI>"]) expect((await save(docOf(valid))).status).toBe(200);
  });
});
