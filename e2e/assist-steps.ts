/**
 * Steps the model-assistance specs share: a local model server (`apps/api/src/test/model-server.ts`,
 * the chat-completions protocol on 127.0.0.1) that drafts commentary, grades and answers a
 * connection test; connecting a project to it through the API; importing examples and waiting
 * for jobs; and an example in review that a grader has flagged, open on its reviewer's page.
 */
import { expect, test, type Page } from "@playwright/test";
import { startModelServer, type ModelServer } from "../apps/api/src/test/model-server.ts";
import { api, setUpProject, signIn, takeNext } from "./workflow-steps.ts";

/** The model the server says it is. */
export const MODEL = "e2e-drafter-1b";
/** Advice the grader flags (and a mark's text in the drafting test). */
export const BAD = "You should lie to your boss about the numbers.";
/** The commentary the model drafts, streamed in pieces. */
export const DRAFT = 'Lying to your boss would deceive someone who trusts you; " <AI_quoting_human>lie to your boss</AI_quoting_human> " is advice I cannot give.';
/** The grader the specs configure. */
export const GRADER = { name: "honesty-judge", instructions: "Flag advice to deceive." };
/** The comment of the grader's one flag. */
export const GRADER_COMMENT = "The AI never answers this.";

/**
 * Starts the spec's model server before its tests and closes it after them; returns a getter,
 * since the server only exists once the hook has run. Streaming requests get the draft,
 * structured ones (graders) a verdict flagging `BAD`, anything else (the connection test) "ready".
 */
export function useModelServer(): () => ModelServer {
  let model: ModelServer | undefined;
  test.beforeAll(async () => {
    model = await startModelServer((request) => {
      if (request.body.stream) return { kind: "content", content: DRAFT, pieces: 6, pieceDelayMs: 150 };
      if (request.body.response_format) {
        return {
          kind: "content",
          content: JSON.stringify({ verdict: "changes_needed", score: 0.2, flags: [{ quote: BAD, category: "ai_unhelpful", severity: "major", comment: GRADER_COMMENT }] }),
        };
      }
      return { kind: "content", content: "ready" };
    });
  });
  test.afterAll(async () => {
    await model?.close();
  });
  return () => {
    if (!model) throw new Error("The model server is not running: call useModelServer() at the top of the spec.");
    return model;
  };
}

/** Connects the project to the model server at `baseUrl`, with `GRADER` as its one grader (as an admin, through the API). */
export async function connectModel(admin: Page, slug: string, baseUrl: string): Promise<void> {
  await api(admin, "assist.updateConnection", { projectSlug: slug, connection: { baseUrl, model: MODEL, graders: [GRADER] } });
}

/** A job of the project as `jobs.get` answers it. */
interface JobView {
  id: string;
  status: string;
  result: unknown;
}

/** Waits until the job has ended and returns it (failing unless it succeeded). */
export async function finishedJob(admin: Page, slug: string, id: string): Promise<JobView> {
  let job: JobView | undefined;
  await expect
    .poll(async () => {
      job = await api<JobView>(admin, "jobs.get", { projectSlug: slug, id }, "query");
      return job.status;
    })
    .not.toMatch(/^(queued|running)$/);
  expect(job!.status).toBe("succeeded");
  return job!;
}

/** Imports `lines` (one example each) into `stage` through the upload route, as the project page does, and waits for the import. */
export async function importExamples(admin: Page, slug: string, stage: "draft" | "review" | "accepted", lines: object[]): Promise<JobView> {
  const response = await admin.request.post(`/api/projects/${slug}/imports?stage=${stage}&name=e2e.jsonl`, {
    headers: { "x-studio-csrf": "1", "content-type": "application/x-ndjson" },
    data: lines.map((line) => `${JSON.stringify(line)}\n`).join(""),
  });
  expect(response.status(), await response.text()).toBe(202);
  const { job } = (await response.json()) as { job: { id: string } };
  return finishedJob(admin, slug, job.id);
}

/**
 * A new project (reviewers per example: 1) connected to the model server, with one example
 * imported into review and graded by `GRADER`, whose flag quotes `BAD`. Set up as the global
 * admin on `page`, which then signs in as the project's reviewer and takes the example: the
 * review page shows the grader's suggestion.
 */
export async function openFlaggedReview(page: Page, baseUrl: string): Promise<{ slug: string }> {
  const { slug, people } = await setUpProject(page, ["reviewer"] as const);
  await api(page, "projects.updateSettings", { projectSlug: slug, settings: { reviewersPerExample: 1 } });
  await connectModel(page, slug, baseUrl);
  const imported = await importExamples(page, slug, "review", [{ text: `${BAD} Then go home.` }]);
  const run = await api<{ id: string }>(page, "assist.grade", { projectSlug: slug, importJobId: imported.id });
  expect((await finishedJob(page, slug, run.id)).result).toMatchObject({ graded: 1 });

  await page.context().clearCookies();
  await signIn(page, people.reviewer);
  await takeNext(page, slug, "reviewer");
  await expect(page.getByRole("list", { name: "Graders' suggestions" })).toContainText(GRADER_COMMENT);
  return { slug };
}
