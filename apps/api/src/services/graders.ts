/**
 * Model graders (issue 9): an admin runs the project's configured graders over the examples in
 * review, or over one imported batch, as a background job ("grade") with progress. Each grader
 * answers through a structured response (a JSON schema sent as the response format): a verdict,
 * a score and flags in the SPEC §4 categories. The answer is validated before anything is
 * stored — not JSON, not matching the schema, or a flag quoting text that is not in the example
 * is refused with a reason and nothing is kept for it — and a valid answer becomes a
 * GraderReport, the same record an imported grader report is.
 *
 * Reports are suggestions for reviewers ({@link listSuggestions}); they never count as a review.
 * The quality figures measure each grader as a reviewer of its own (`grader:<name>`).
 *
 * Flags locate their range by quoting the text (models count characters badly): the first
 * occurrence of the quote gives the range, in code points like every stored range.
 */
import { FLAG_CATEGORIES, FLAG_SEVERITIES, VERDICTS, type FlagCategory, type FlagSeverity } from "@prealign/core";
import { z } from "zod";
import type { Db, Prisma } from "../db/database.ts";
import { InvalidInputError, RateLimitedError } from "../errors.ts";
import type { ProjectAccess } from "./access.ts";
import { inBackground } from "./data-jobs.ts";
import { findCurrentGuideline } from "./guidelines.ts";
import { getJob, listJobs, runJob, startJob, type JobRun, type JobView } from "./jobs.ts";
import { acquireRequestSlot, completeJson } from "./llm/client.ts";
import { requireConnection, type GraderConfig, type ResolvedConnection } from "./llm/connection.ts";

/** A grader's flag as stored in `GraderReport.flags` (code points), the same shape imports store. */
export interface SuggestedFlag {
  start: number;
  end: number;
  category: FlagCategory;
  severity: FlagSeverity;
  comment: string;
}

/** The answer every grader must give: sent to the endpoint as the response format. */
export const GRADER_ANSWER_SCHEMA = {
  type: "object",
  additionalProperties: false,
  required: ["verdict", "score", "flags"],
  properties: {
    verdict: { type: "string", enum: [...VERDICTS] },
    score: { type: "number", description: "How good the example is, from 0 (worst) to 1 (best)." },
    flags: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["quote", "category", "severity", "comment"],
        properties: {
          quote: { type: "string", description: "The flagged passage, copied exactly from the example (tags included where they are part of it)." },
          category: { type: "string", enum: [...FLAG_CATEGORIES] },
          severity: { type: "string", enum: [...FLAG_SEVERITIES] },
          comment: { type: "string" },
        },
      },
    },
  },
} as const;

/** The same answer as zod checks it. */
const graderAnswer = z
  .object({
    verdict: z.enum(VERDICTS),
    score: z.number().min(0).max(1),
    flags: z
      .array(
        z
          .object({
            quote: z.string().min(1, "a flag's quote is empty"),
            category: z.enum(FLAG_CATEGORIES),
            severity: z.enum(FLAG_SEVERITIES),
            comment: z.string().max(10_000),
          })
          .strict(),
      )
      .max(200),
  })
  .strict();

/** A grader's answer, checked and located in the text. */
export interface GraderVerdict {
  verdict: (typeof VERDICTS)[number];
  score: number;
  flags: SuggestedFlag[];
}

/** Why an answer was refused; the run goes on with the next example. */
export class GraderAnswerError extends Error {
  override name = "GraderAnswerError";
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join(".") : "the answer"}: ${issue.message}`)
    .join("; ");
}

/**
 * Checks a grader's raw answer against the schema and locates each flag's quote in `text`.
 * Throws {@link GraderAnswerError} saying what was wrong.
 */
export function readGraderAnswer(raw: string, text: string): GraderVerdict {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    const shown = raw.length > 80 ? `${raw.slice(0, 80)}…` : raw;
    throw new GraderAnswerError(`The grader's answer is not JSON (it began ${JSON.stringify(shown)}); nothing was stored.`);
  }
  const parsed = graderAnswer.safeParse(json);
  if (!parsed.success) {
    throw new GraderAnswerError(`The grader's answer does not match the schema (${describeIssues(parsed.error)}); nothing was stored.`);
  }
  const flags = parsed.data.flags.map((flag, index): SuggestedFlag => {
    const at = text.indexOf(flag.quote);
    if (at < 0) {
      throw new GraderAnswerError(`The grader's flag ${index + 1} quotes text that is not in the example; nothing was stored.`);
    }
    const start = Array.from(text.slice(0, at)).length;
    return { start, end: start + Array.from(flag.quote).length, category: flag.category, severity: flag.severity, comment: flag.comment };
  });
  return { verdict: parsed.data.verdict, score: parsed.data.score, flags };
}

/** The conversation that asks `grader` to grade `text`. */
function graderMessages(grader: GraderConfig, guidelines: string | null, text: string) {
  return [
    {
      role: "system" as const,
      content: [
        "You grade training examples written in a tagged format: text outside tags is a human's; <AI>…</AI> is the AI's commentary;",
        "<AI_quoting_human>…</AI_quoting_human> inside it quotes the human. Give a verdict (accept, changes_needed or reject), a score",
        "from 0 to 1, and a flag for each defect: quote the flagged passage exactly, and give its category and severity.",
        `Categories: ${FLAG_CATEGORIES.join(", ")}. Severities: blocker, major, minor.`,
        grader.instructions ? `\nYour instructions:\n${grader.instructions}` : "",
        guidelines ? `\nThe project's guidelines:\n\n${guidelines}` : "",
      ].join("\n"),
    },
    { role: "user" as const, content: text },
  ];
}

/** Asks `grader` about `text` and checks its answer. Throws {@link GraderAnswerError} or the endpoint's error. */
export async function gradeText(
  connection: ResolvedConnection,
  grader: GraderConfig,
  guidelines: string | null,
  text: string,
  signal?: AbortSignal,
): Promise<GraderVerdict> {
  const raw = await completeJson(connection, {
    model: grader.model ?? connection.model,
    messages: graderMessages(grader, guidelines, text),
    schemaName: "grader_report",
    schema: GRADER_ANSWER_SCHEMA as unknown as Record<string, unknown>,
    ...(signal ? { signal } : {}),
  });
  return readGraderAnswer(raw, text);
}

/** What a grading run is asked for. */
export interface GradingRequest {
  /** The graders to run, by name; all configured graders when empty. */
  graders: string[];
  /** Grade this import's examples (their newest revision) instead of the examples in review. */
  importJobId?: string | undefined;
}

/** The revisions a run grades: in review, the revision under review; of an import, the head. */
async function gradingTargets(db: Db, projectId: string, request: GradingRequest) {
  const examples = await db.example.findMany({
    where: request.importJobId ? { projectId, importJobId: request.importJobId } : { projectId, stage: "review" },
    select: { id: true, reviewRevisionId: true, headRevisionId: true },
    orderBy: { id: "asc" },
  });
  return examples.flatMap((example) => {
    const revisionId = request.importJobId ? example.headRevisionId : (example.reviewRevisionId ?? example.headRevisionId);
    return revisionId ? [{ exampleId: example.id, revisionId }] : [];
  });
}

/** How long a run waits for a free request place when drafts use them all. */
const SLOT_WAIT_MS = 500;

/** Takes a request place for the run, waiting (and checking for cancellation) while all are in use. */
async function slotForRun(projectId: string, run: JobRun): Promise<() => void> {
  for (;;) {
    try {
      return acquireRequestSlot(projectId);
    } catch (error) {
      if (!(error instanceof RateLimitedError)) throw error;
      run.checkpoint();
      await new Promise((resolve) => setTimeout(resolve, SLOT_WAIT_MS));
    }
  }
}

/** The result of a run, as its job shows it. */
interface GradingResult {
  [key: string]: Prisma.InputJsonValue;
  graded: number;
  alreadyGraded: number;
  refusedCount: number;
  /** The first few refused answers, each with its reason. */
  refused: { exampleId: string; grader: string; message: string }[];
}

const MAX_LISTED_REFUSALS = 20;

/** The work of one run. Endpoint failures (down, timeout, 429, 5xx) fail the job; refused answers do not. */
async function gradeAll(db: Db, projectId: string, graders: GraderConfig[], connection: ResolvedConnection, request: GradingRequest, run: JobRun) {
  const targets = await gradingTargets(db, projectId, request);
  const existing = await db.graderReport.findMany({
    where: { revisionId: { in: targets.map((target) => target.revisionId) }, grader: { in: graders.map((grader) => grader.name) } },
    select: { revisionId: true, grader: true },
  });
  const done = new Set(existing.map((report) => `${report.revisionId}\u0000${report.grader}`));
  const guidelines = (await findCurrentGuideline(db, projectId))?.markdown ?? null;
  const result: GradingResult = { graded: 0, alreadyGraded: 0, refusedCount: 0, refused: [] };
  const total = targets.length * graders.length;
  let step = 0;
  run.progress(0, total);
  for (const target of targets) {
    const revision = await db.revision.findUniqueOrThrow({ where: { id: target.revisionId }, select: { text: true } });
    for (const grader of graders) {
      run.checkpoint();
      step += 1;
      if (done.has(`${target.revisionId}\u0000${grader.name}`)) {
        result.alreadyGraded += 1;
        run.progress(step);
        continue;
      }
      const release = await slotForRun(projectId, run);
      try {
        const verdict = await gradeText(connection, grader, guidelines, revision.text);
        await db.graderReport.create({
          data: {
            exampleId: target.exampleId,
            revisionId: target.revisionId,
            grader: grader.name,
            score: verdict.score,
            verdict: verdict.verdict,
            flags: verdict.flags as unknown as Prisma.InputJsonValue,
          },
          select: { id: true },
        });
        result.graded += 1;
      } catch (error) {
        if (!(error instanceof GraderAnswerError)) {
          throw new Error(`${error instanceof Error ? error.message : String(error)} (${result.graded} answers were stored before this.)`);
        }
        result.refusedCount += 1;
        if (result.refused.length < MAX_LISTED_REFUSALS) result.refused.push({ exampleId: target.exampleId, grader: grader.name, message: error.message });
      } finally {
        release();
      }
      run.progress(step);
    }
  }
  return result;
}

/** Starts a grading run in this process; returns its job at once. */
export async function startGrading(db: Db, access: ProjectAccess, request: GradingRequest): Promise<JobView> {
  const connection = await requireConnection(db, access.projectId);
  const configured = connection.graders;
  if (configured.length === 0) {
    throw new InvalidInputError("This project has no graders yet. Add one under Settings → Model assistance, then run it.");
  }
  const unknown = request.graders.filter((name) => !configured.some((grader) => grader.name === name));
  if (unknown.length > 0) {
    throw new InvalidInputError(`There is no grader named ${unknown.map((name) => `"${name}"`).join(", ")}. The project's graders are ${configured.map((grader) => `"${grader.name}"`).join(", ")}.`);
  }
  const graders = request.graders.length === 0 ? configured : configured.filter((grader) => request.graders.includes(grader.name));
  if (request.importJobId) {
    const job = await db.job.findFirst({ where: { id: request.importJobId, projectId: access.projectId, kind: "import" }, select: { id: true } });
    if (!job) throw new InvalidInputError("There is no such import in this project. Pick one from the project page's imports.");
  }
  const params = { graders: graders.map((grader) => grader.name), ...(request.importJobId ? { importJobId: request.importJobId } : { stage: "review" }) };
  const run = await startJob(db, { projectId: access.projectId, kind: "grade", params, createdById: access.userId });
  inBackground(runJob(db, run, "grade", () => gradeAll(db, access.projectId, graders, connection, request, run)));
  return getJob(db, access.projectId, run.id);
}

/** One grader's report as reviewers see it: suggestions, never a review. */
export interface GraderSuggestions {
  id: string;
  grader: string;
  score: number | null;
  verdict: string | null;
  createdAt: Date;
  flags: SuggestedFlag[];
}

const storedFlags = z.array(
  z.object({
    start: z.number().int(),
    end: z.number().int(),
    category: z.enum(FLAG_CATEGORIES),
    severity: z.enum(FLAG_SEVERITIES),
    comment: z.string().catch(""),
  }),
);

/**
 * The grader reports (run here or imported) on the revision the example's review is about (its
 * head before it entered review), newest first.
 */
export async function listSuggestions(db: Db, exampleId: string): Promise<GraderSuggestions[]> {
  const example = await db.example.findUniqueOrThrow({ where: { id: exampleId }, select: { reviewRevisionId: true, headRevisionId: true } });
  const revisionId = example.reviewRevisionId ?? example.headRevisionId;
  if (!revisionId) return [];
  const reports = await db.graderReport.findMany({
    where: { exampleId, revisionId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    select: { id: true, grader: true, score: true, verdict: true, createdAt: true, flags: true },
  });
  return reports.map((report) => {
    const flags = storedFlags.safeParse(report.flags);
    return { ...report, flags: flags.success ? flags.data : [] };
  });
}

/** A project's grading runs, newest first. */
export function listGradingJobs(db: Db, projectId: string): Promise<JobView[]> {
  return listJobs(db, projectId, "grade");
}
