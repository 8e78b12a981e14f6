/**
 * Model assistance over HTTP (issue 9), against a real studio server and a local model server
 * that speaks the chat-completions protocol (`test/model-server.ts`): drafted commentary
 * streamed and checked, graders' structured answers validated before storage, the endpoint's
 * failures (down, timeout, 429, 500, not JSON, schema mismatch) as clear messages with nothing
 * stored, the API key kept on the server, and graders measured in the reviewer-accuracy figures.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../test/database.ts";
import { mutate, query, sessionCookie, startTestServer, type TestServer } from "../test/http.ts";
import { startModelServer, type ModelReply, type ModelServer, type ReceivedRequest } from "../test/model-server.ts";
import { createTeam, docJson, exampleIn, type Team } from "../test/workflow.ts";

let database: TestDatabase;
let server: TestServer;
let model: ModelServer;
let team: Team;
const cookies: Record<string, string> = {};

const SECRET_KEY = "sk-test-never-in-a-browser-0123456789";
const saved = { ...process.env };

beforeAll(async () => {
  // Short limits keep the failure cases quick: 400 ms per attempt, one retry.
  process.env.STUDIO_LLM_TIMEOUT_MS = "400";
  process.env.STUDIO_LLM_MAX_RETRIES = "1";
  delete process.env.STUDIO_LLM_BASE_URL;
  delete process.env.STUDIO_LLM_MODEL;
  database = await createTestDatabase();
  server = await startTestServer(database.db);
  model = await startModelServer(() => ({ kind: "content", content: "" }));
  team = await createTeam(database.db);
  for (const name of ["admin", "commentator", "reviewer", "author"] as const) cookies[name] = await sessionCookie(database.db, team[name].user.id);
});

afterAll(async () => {
  process.env = saved;
  await model?.close();
  await server?.close();
  await database?.drop();
});

afterEach(() => {
  model.requests.length = 0;
});

function answerWith(reply: (request: ReceivedRequest, index: number) => ModelReply): void {
  model.answer(reply);
}

async function connect(options: { graders?: { name: string; instructions: string }[] } = {}) {
  const answer = await mutate(
    server.url,
    "assist.updateConnection",
    { projectSlug: team.project.slug, connection: { baseUrl: model.baseUrl, model: "test-model-7b", apiKey: SECRET_KEY, graders: options.graders ?? [] } },
    cookies.admin,
  );
  expect(answer.status).toBe(200);
  return answer;
}

/** An example in commentary, taken by the commentator, with the uncommented mark `m1` on "Rude remark. ". */
function commentaryExample() {
  return exampleIn(database.db, team, { stage: "commentary", mark: "uncommented", claimedBy: team.commentator });
}

/** What a draft subscription streamed: its events in order, read from the server-sent events. */
async function draftEvents(exampleId: string, markId = "m1", cookie = cookies.commentator!): Promise<{ status: number; events: unknown[]; errors: unknown[] }> {
  const input = encodeURIComponent(JSON.stringify({ exampleId, markId }));
  const response = await fetch(`${server.url}/trpc/assist.draft?input=${input}`, { headers: { cookie, accept: "text/event-stream" } });
  const body = await response.text();
  const events: unknown[] = [];
  const errors: unknown[] = [];
  for (const block of body.split("\n\n")) {
    const lines = block.split("\n");
    const event = lines.find((line) => line.startsWith("event: "))?.slice(7);
    const data = lines.filter((line) => line.startsWith("data: ")).map((line) => line.slice(6)).join("\n");
    if (data === "") continue;
    if (event === "serialized-error") errors.push(JSON.parse(data));
    else if (event === undefined) events.push((JSON.parse(data) as { data?: unknown }).data ?? JSON.parse(data));
  }
  return { status: response.status, events, errors };
}

describe("drafted commentary", () => {
  it("says so, and stores nothing, when no endpoint is configured", async () => {
    const example = await commentaryExample();
    const status = await query(server.url, "assist.status", { projectSlug: team.project.slug }, cookies.commentator);
    expect(status.body.result?.data).toMatchObject({ configured: false, message: expect.stringContaining("No model endpoint is configured") });
    const { events, errors } = await draftEvents(example.id);
    expect(events).toEqual([]);
    expect(JSON.stringify(errors)).toContain("No model endpoint is configured for this project");
    expect(await database.db.modelDraft.count({ where: { exampleId: example.id } })).toBe(0);
  });

  it("streams a good draft as it arrives, keeps it, and makes the accepting commentator's next save model-drafted with the model's name", async () => {
    await connect();
    const example = await commentaryExample();
    const draft = 'Lying to a friend hurts them; " <AI_quoting_human>Rude remark.</AI_quoting_human> " was unkind.';
    answerWith(() => ({ kind: "content", content: draft, pieces: 5 }));
    const { events } = await draftEvents(example.id);
    const texts = events.filter((event) => (event as { kind: string }).kind === "text");
    expect(texts.length).toBeGreaterThan(1);
    expect(texts.map((event) => (event as { text: string }).text).join("")).toBe(draft);
    const last = events.at(-1) as { kind: string; draft: { id: string; text: string; model: string; markId: string } };
    expect(last).toMatchObject({ kind: "draft", draft: { text: draft, model: "test-model-7b", markId: "m1" } });
    // The request was streamed, carried the text around the mark and the key as bearer token.
    const sent = model.requests[0]!;
    expect(sent.body.stream).toBe(true);
    expect(sent.body.messages!.at(-1)!.content).toContain("⟦Rude remark. ⟧");
    expect(sent.headers.authorization).toBe(`Bearer ${SECRET_KEY}`);

    const accepted = await mutate(server.url, "assist.acceptDraft", { exampleId: example.id, draftId: last.draft.id }, cookies.commentator);
    expect(accepted.status).toBe(200);
    // The commentator edits the draft, inserts it linked to the mark, and saves.
    const edited = draft.replace("hurts them", "hurts people");
    const doc = docJson(`Rude remark. <AI>${edited}</AI>`, "commented");
    const saved = await mutate(server.url, "examples.save", { exampleId: example.id, baseRevisionId: example.headId, doc }, cookies.commentator);
    expect(saved.body.error).toBeUndefined();
    expect(saved.body.result?.data).toMatchObject({ modelDrafted: true, draftModel: "test-model-7b" });
    // A later save based on it stays model-drafted: the text still holds the model's words.
    const again = await mutate(
      server.url,
      "examples.save",
      { exampleId: example.id, baseRevisionId: (saved.body.result!.data as { id: string }).id, doc: docJson(`Rude remark. <AI>${edited}</AI> More.`, "commented") },
      cookies.commentator,
    );
    expect(again.body.result?.data).toMatchObject({ modelDrafted: true, draftModel: "test-model-7b" });
  });

  it("refuses a draft whose tags break the grammar, and keeps nothing", async () => {
    await connect();
    const example = await commentaryExample();
    answerWith(() => ({ kind: "content", content: "Unkind.</AI_quoting_human> and <AI>nested</AI>" }));
    const { events } = await draftEvents(example.id);
    expect(events.at(-1)).toMatchObject({ kind: "refused", message: expect.stringContaining("cannot be inserted as commentary. At character 8: `</AI_quoting_human>` closes a quote") });
    expect(events.some((event) => (event as { kind: string }).kind === "draft")).toBe(false);
    // Valid tagged text around it, but it closes the span and writes human text.
    answerWith(() => ({ kind: "content", content: "Unkind.</AI> I, the human, agree. <AI>Yes." }));
    const closing = await draftEvents(example.id);
    expect(closing.events.at(-1)).toMatchObject({ kind: "refused", message: expect.stringContaining("At character 8: </AI> would close the AI span") });
    expect(await database.db.modelDraft.count({ where: { exampleId: example.id } })).toBe(0);
  });

  it("gives up on an endpoint that does not answer in time, with a message, after the retry", async () => {
    await connect();
    const example = await commentaryExample();
    answerWith(() => ({ kind: "hang" }));
    const { events } = await draftEvents(example.id);
    expect(events.at(-1)).toMatchObject({ kind: "refused", message: expect.stringContaining("did not answer within 0.4 s (2 attempts)") });
    expect(model.requests).toHaveLength(2);
    expect(await database.db.modelDraft.count({ where: { exampleId: example.id } })).toBe(0);
  });

  it("says when the endpoint cannot be reached", async () => {
    const down = await startModelServer(() => ({ kind: "content", content: "" }));
    const baseUrl = down.baseUrl;
    await down.close();
    await mutate(server.url, "assist.updateConnection", { projectSlug: team.project.slug, connection: { baseUrl, model: "m" } }, cookies.admin);
    const example = await commentaryExample();
    const { events } = await draftEvents(example.id);
    expect(events.at(-1)).toMatchObject({ kind: "refused", message: expect.stringContaining(`The model endpoint at ${baseUrl} could not be reached`) });
    const tested = await mutate(server.url, "assist.testConnection", { projectSlug: team.project.slug }, cookies.admin);
    expect(tested.body.result?.data).toMatchObject({ ok: false, message: expect.stringContaining("could not be reached") });
  });
});

describe("the endpoint's HTTP errors", () => {
  it("waits as long as a 429's retry-after asks, then succeeds", async () => {
    await connect();
    answerWith((_request, index) => (index === 0 ? { kind: "status", status: 429, headers: { "retry-after": "1" } } : { kind: "content", content: "ready" }));
    const tested = await mutate(server.url, "assist.testConnection", { projectSlug: team.project.slug }, cookies.admin);
    // testConnection makes one attempt only; a draft retries.
    expect(tested.body.result?.data).toMatchObject({ ok: false, message: expect.stringContaining("HTTP 429") });
    model.requests.length = 0;
    const example = await commentaryExample();
    answerWith((_request, index) => (index === 0 ? { kind: "status", status: 429, headers: { "retry-after": "1" } } : { kind: "content", content: "Unkind words hurt." }));
    const { events } = await draftEvents(example.id);
    expect(events.at(-1)).toMatchObject({ kind: "draft", draft: { text: "Unkind words hurt." } });
    expect(model.requests).toHaveLength(2);
    expect(model.requests[1]!.at - model.requests[0]!.at).toBeGreaterThanOrEqual(950);
  });

  it("reports a 429 that persists, and a 500, with the status and nothing kept", async () => {
    await connect();
    const example = await commentaryExample();
    answerWith(() => ({ kind: "status", status: 429, headers: { "retry-after": "0" } }));
    const limited = await draftEvents(example.id);
    expect(limited.events.at(-1)).toMatchObject({ kind: "refused", message: expect.stringContaining("is limiting requests (HTTP 429)") });
    answerWith(() => ({ kind: "status", status: 500, body: JSON.stringify({ error: { message: "model crashed" } }) }));
    const failed = await draftEvents(example.id);
    expect(failed.events.at(-1)).toMatchObject({ kind: "refused", message: expect.stringContaining("answered HTTP 500 (model crashed) after 2 attempts") });
    expect(await database.db.modelDraft.count({ where: { exampleId: example.id } })).toBe(0);
  });
});

describe("the API key", () => {
  it("never reaches a browser: no procedure answers it, though the endpoint receives it", async () => {
    const set = await connect({ graders: [{ name: "judge", instructions: "Be strict." }] });
    const bodies = [JSON.stringify(set.body)];
    for (const [path, who] of [
      ["assist.connection", "admin"],
      ["assist.status", "admin"],
      ["assist.status", "commentator"],
      ["projects.get", "admin"],
      ["assist.gradingJobs", "admin"],
      ["audit.list", "admin"],
    ] as const) {
      const answer = await query(server.url, path, { projectSlug: team.project.slug }, cookies[who]);
      expect(answer.status, path).toBe(200);
      bodies.push(JSON.stringify(answer.body));
    }
    answerWith(() => ({ kind: "status", status: 401, body: JSON.stringify({ error: { message: `Incorrect API key provided: ${SECRET_KEY}` } }) }));
    const tested = await mutate(server.url, "assist.testConnection", { projectSlug: team.project.slug }, cookies.admin);
    expect(tested.body.result?.data).toMatchObject({ ok: false, message: expect.stringContaining("HTTP 401") });
    bodies.push(JSON.stringify(tested.body));
    const connection = await query(server.url, "assist.connection", { projectSlug: team.project.slug }, cookies.admin);
    expect(connection.body.result?.data).toMatchObject({ source: "project", model: "test-model-7b", hasApiKey: true });
    expect(model.requests.at(-1)!.headers.authorization).toBe(`Bearer ${SECRET_KEY}`);
    // The change is in the audit log, without the key.
    expect(bodies.some((body) => body.includes('\\"hasApiKey\\":true'))).toBe(true);
    for (const body of bodies) expect(body).not.toContain(SECRET_KEY);
    expect(bodies.join("")).not.toContain("sk-test");
  });
});

/** Runs graders over the project's examples in review and waits for the job to finish. */
async function gradeAndWait(graders: string[] = []) {
  const started = await mutate(server.url, "assist.grade", { projectSlug: team.project.slug, graders }, cookies.admin);
  expect(started.body.error).toBeUndefined();
  const id = (started.body.result!.data as { id: string }).id;
  for (;;) {
    const job = (await query(server.url, "jobs.get", { projectSlug: team.project.slug, id }, cookies.admin)).body.result!.data as {
      status: string;
      message: string | null;
      result: Record<string, unknown> | null;
      done: number;
      total: number | null;
    };
    if (!["queued", "running"].includes(job.status)) return job;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A grader's answer quoting `quote` as a flag of `category`. */
function graderAnswer(quote: string, category: string, severity = "major") {
  return JSON.stringify({ verdict: "changes_needed", score: 0.3, flags: [{ quote, category, severity, comment: `About ${quote}` }] });
}

describe("model graders", () => {
  it("refuses answers that are not JSON or do not match the schema, storing nothing, and fails the run on a 500", async () => {
    await connect({ graders: [{ name: "sloppy", instructions: "Grade." }] });
    await database.db.example.updateMany({ where: { projectId: team.project.id, stage: "review" }, data: { stage: "rejected" } });
    const example = await exampleIn(database.db, team, { stage: "review" });
    answerWith((_request, index) =>
      index === 0 ? { kind: "content", content: "I think it is fine." } : { kind: "content", content: JSON.stringify({ verdict: "great", score: 2, flags: [] }) },
    );
    const notJson = await gradeAndWait();
    expect(notJson).toMatchObject({ status: "succeeded", result: { graded: 0, refusedCount: 1 } });
    expect(JSON.stringify(notJson.result)).toContain("The grader's answer is not JSON");
    // The request asked for a structured answer by JSON schema.
    expect(model.requests[0]!.body.response_format).toMatchObject({ type: "json_schema", json_schema: { name: "grader_report", strict: true } });
    const mismatch = await gradeAndWait();
    expect(JSON.stringify(mismatch.result)).toContain("does not match the schema (verdict:");
    answerWith(() => ({ kind: "content", content: graderAnswer("not in the text", "style") }));
    const misquoted = await gradeAndWait();
    expect(JSON.stringify(misquoted.result)).toContain("quotes text that is not in the example");
    answerWith(() => ({ kind: "status", status: 500 }));
    const failed = await gradeAndWait();
    expect(failed).toMatchObject({ status: "failed", message: expect.stringContaining("answered HTTP 500") });
    expect(await database.db.graderReport.count({ where: { exampleId: example.id } })).toBe(0);
  });

  it("stores valid answers as reports that reviewers see as suggestions, and measures each grader as a reviewer by name", async () => {
    await connect({ graders: [{ name: "catcher", instructions: "Catch rudeness." }, { name: "misser", instructions: "Look at style." }] });
    await database.db.example.updateMany({ where: { projectId: team.project.id, stage: "review" }, data: { stage: "rejected" } });
    // In review: two reviewers flagged "Rude remark. " (0–13) as uncommented bad behaviour.
    const example = await exampleIn(database.db, team, {
      stage: "review",
      reviews: [
        { by: team.reviewer2, verdict: "changes_needed", flags: [{ start: 0, end: 13, severity: "major" }] },
        { by: team.reviewer3, verdict: "accept" },
      ],
    });
    answerWith((request) =>
      request.body.messages![0]!.content.includes("Catch rudeness.")
        ? { kind: "content", content: graderAnswer("Rude remark.", "uncommented_bad_behaviour") }
        : { kind: "content", content: graderAnswer("That was unkind.", "style", "minor") },
    );
    const job = await gradeAndWait();
    expect(job).toMatchObject({ status: "succeeded", done: 2, total: 2, result: { graded: 2, refusedCount: 0 } });

    // A reviewer sees both reports as suggestions, located in code points.
    const suggestions = await query(server.url, "assist.suggestions", { exampleId: example.id }, cookies.reviewer);
    const reports = suggestions.body.result!.data as { grader: string; verdict: string; flags: unknown[] }[];
    expect(reports.map((report) => [report.grader, report.verdict, report.flags]).sort()).toEqual([
      ["catcher", "changes_needed", [{ start: 0, end: 12, category: "uncommented_bad_behaviour", severity: "major", comment: "About Rude remark." }]],
      ["misser", "changes_needed", [{ start: 17, end: 33, category: "style", severity: "minor", comment: "About That was unkind." }]],
    ]);
    // Never counted as a review.
    expect(await database.db.review.count({ where: { exampleId: example.id } })).toBe(2);
    // Running again grades nothing twice.
    const again = await gradeAndWait();
    expect(again).toMatchObject({ status: "succeeded", result: { graded: 0, alreadyGraded: 2 } });

    // Adjudication upholds the flag; the figures measure the graders under their names.
    await database.db.flag.updateMany({ where: { exampleId: example.id }, data: { decision: "upheld" } });
    await database.db.example.update({ where: { id: example.id }, data: { stage: "accepted" } });
    const accuracy = await query(server.url, "quality.accuracy", { projectSlug: team.project.slug, days: 1 }, cookies.admin);
    const figures = accuracy.body.result!.data as { byReviewer: { reviewer: { key: string; kind: string }; missed: number; defects: number }[] };
    const byKey = Object.fromEntries(figures.byReviewer.map((entry) => [entry.reviewer.key, [entry.reviewer.kind, entry.missed, entry.defects]]));
    expect(byKey["grader:catcher"]).toEqual(["grader", 0, 1]);
    expect(byKey["grader:misser"]).toEqual(["grader", 1, 1]);
  });
});

describe("grading an imported batch", () => {
  it("grades the examples of one import, whatever their stage, and refuses an import of another project", async () => {
    await connect({ graders: [{ name: "batch-judge", instructions: "Grade." }] });
    const batch = await database.db.job.create({
      data: { projectId: team.project.id, kind: "import", status: "succeeded", params: {} },
      select: { id: true },
    });
    const imported = await exampleIn(database.db, team, { stage: "draft" });
    await database.db.example.update({ where: { id: imported.id }, data: { importJobId: batch.id } });
    const other = await exampleIn(database.db, team, { stage: "draft" });
    answerWith(() => ({ kind: "content", content: graderAnswer("Rude remark.", "uncommented_bad_behaviour") }));
    const started = await mutate(server.url, "assist.grade", { projectSlug: team.project.slug, importJobId: batch.id }, cookies.admin);
    const id = (started.body.result!.data as { id: string }).id;
    await expect
      .poll(async () => ((await query(server.url, "jobs.get", { projectSlug: team.project.slug, id }, cookies.admin)).body.result!.data as { status: string }).status)
      .toBe("succeeded");
    expect(await database.db.graderReport.count({ where: { exampleId: imported.id, grader: "batch-judge", revisionId: imported.headId } })).toBe(1);
    expect(await database.db.graderReport.count({ where: { exampleId: other.id } })).toBe(0);
    const elsewhere = await createTeam(database.db);
    const foreign = await database.db.job.create({ data: { projectId: elsewhere.project.id, kind: "import", status: "succeeded", params: {} }, select: { id: true } });
    const refused = await mutate(server.url, "assist.grade", { projectSlug: team.project.slug, importJobId: foreign.id }, cookies.admin);
    expect(refused.body.error?.message).toContain("There is no such import in this project");
  });
});

describe("limits on requests", () => {
  it("gives up on a stream that stops sending in the middle", async () => {
    await connect();
    const example = await commentaryExample();
    answerWith(() => ({ kind: "content", content: "Unkind words hurt people.", pieces: 3, pieceDelayMs: 1_500 }));
    const { events } = await draftEvents(example.id);
    expect(events[0]).toMatchObject({ kind: "text" });
    expect(events.at(-1)).toMatchObject({ kind: "refused", message: expect.stringContaining("stopped sending its answer for 0.4 s") });
    expect(await database.db.modelDraft.count({ where: { exampleId: example.id } })).toBe(0);
  });

  it("refuses a request past the project's concurrency limit, and a closed stream cancels the model's request and frees its place", async () => {
    process.env.STUDIO_LLM_CONCURRENCY = "1";
    process.env.STUDIO_LLM_TIMEOUT_MS = "5000";
    try {
      await connect();
      const example = await commentaryExample();
      answerWith(() => ({ kind: "content", content: "A slow and careful answer.", pieces: 10, pieceDelayMs: 300 }));
      // The first stream is read until its first piece, then the browser goes away.
      const controller = new AbortController();
      const input = encodeURIComponent(JSON.stringify({ exampleId: example.id, markId: "m1" }));
      const response = await fetch(`${server.url}/trpc/assist.draft?input=${input}`, {
        headers: { cookie: cookies.commentator!, accept: "text/event-stream" },
        signal: controller.signal,
      });
      const reader = response.body!.getReader();
      let seen = "";
      while (!seen.includes('"kind":"text"')) seen += new TextDecoder().decode((await reader.read()).value);
      // While it runs, a second request of the project is refused with a message.
      const second = await draftEvents(example.id);
      expect(second.events.at(-1)).toMatchObject({ kind: "refused", message: expect.stringContaining("already has 1 requests to its model in flight") });
      expect(model.requests).toHaveLength(1);
      controller.abort();
      await expect.poll(() => model.requests[0]!.closedEarly, { timeout: 3_000 }).toBe(true);
      // Its place is free again: the next request goes through.
      answerWith(() => ({ kind: "content", content: "Unkind." }));
      await expect.poll(async () => (await draftEvents(example.id)).events.at(-1), { timeout: 3_000 }).toMatchObject({ kind: "draft" });
      expect(await database.db.modelDraft.count({ where: { exampleId: example.id } })).toBe(1);
    } finally {
      process.env.STUDIO_LLM_CONCURRENCY = "4";
      process.env.STUDIO_LLM_TIMEOUT_MS = "400";
    }
  });
});
