/**
 * Drafted commentary (issue 9): on an uncommented bad-behaviour mark, a commentator asks the
 * project's model for AI commentary. The prompt carries the project's guidelines and the text
 * around the mark (of the saved head revision); the answer is streamed to the commentator as
 * it arrives, then checked by the core's validator as the inside of an AI span. Only a valid
 * answer is kept (as a {@link ModelDraft} row) and offered; anything else is refused with the
 * validator's reason, and nothing is kept.
 *
 * The draft is a suggestion: the commentator may edit and accept it (the editor inserts an AI
 * span linked to the mark) or discard it. Accepting records it, and the commentator's next
 * save of the example becomes model-drafted with the model's name ({@link draftLineage}), as
 * does every later revision based on it, so that an export's lineage says so.
 */
import { aiSpanInsideProblem, createSchema, documentFromJSON, uncommentedMarks, type Stage } from "@prealign/core";
import type { Db, Prisma } from "../../db/database.ts";
import { ForbiddenError, InvalidInputError, NotFoundError } from "../../errors.ts";
import type { ProjectAccess } from "../access.ts";
import { requireClaim } from "../claims.ts";
import { findCurrentGuideline } from "../guidelines.ts";
import { readProjectSettings } from "../project-settings.ts";
import { acquireRequestSlot, describeFailure, streamText, type ChatMessage } from "./client.ts";
import { requireConnection, type ResolvedConnection } from "./connection.ts";

/** How much text either side of the mark the prompt carries, in code points. */
export const CONTEXT_CODE_POINTS = 2_000;

/** The longest draft kept, in code points; reading stops past it (which cancels the model's request) and the answer is refused. */
export const MAX_DRAFT_CODE_POINTS = 8_000;

/** The stages in which commentary may be drafted, and who may ask in each. */
const DRAFTING_ROLES: Partial<Record<Stage, readonly string[]>> = {
  draft: ["author", "admin"],
  commentary: ["commentator", "admin"],
};

/** What a draft request streams: pieces of text as they arrive, then the outcome. */
export type DraftEvent =
  | { kind: "text"; text: string }
  | { kind: "draft"; draft: DraftView }
  | { kind: "refused"; message: string };

/** A draft as the commentator is offered it. */
export interface DraftView {
  id: string;
  markId: string;
  model: string;
  /** The inside of the AI span: valid tagged text that starts and ends in AI mode. */
  text: string;
}

/** A prepared request: the connection, the prompt and the mark it is for. */
export interface DraftRequest {
  projectId: string;
  exampleId: string;
  userId: string;
  markId: string;
  /** The project's grammar option the answer is checked under. */
  unalignedQuotes: boolean;
  connection: ResolvedConnection;
  messages: ChatMessage[];
}

function codePoints(text: string): string[] {
  return Array.from(text);
}

/** The system message: the task, the format rules and the project's guidelines. */
function systemPrompt(guidelines: string | null): string {
  return [
    "You write the AI commentary of a training example. The example is a text in which a human's words are marked as bad behaviour;",
    "you write what a well-aligned AI says about that behaviour, in the AI's own voice, caring for everyone's well-being.",
    "Answer with the commentary only: no preamble, no quotation of these instructions.",
    "Do not write the tags <AI> or </AI>: your whole answer is placed inside one AI span.",
    "When you quote the human's words, wrap the quote in <AI_quoting_human> and </AI_quoting_human>, inside quotation marks.",
    guidelines ? `\nThe project's guidelines:\n\n${guidelines}` : "\nThe project has no written guidelines yet.",
  ].join("\n");
}

/** The user message: the text around the mark, with the marked passage pointed out. */
function userPrompt(text: string, mark: { start: number; end: number; category: string }): string {
  const points = codePoints(text);
  const before = points.slice(Math.max(0, mark.start - CONTEXT_CODE_POINTS), mark.start).join("");
  const marked = points.slice(mark.start, mark.end).join("");
  const after = points.slice(mark.end, mark.end + CONTEXT_CODE_POINTS).join("");
  return [
    `The passage marked as bad behaviour (category: ${mark.category}) is between ⟦ and ⟧ below.`,
    "Write the AI commentary on it.",
    "",
    `${before}⟦${marked}⟧${after}`,
  ].join("\n");
}

/**
 * Checks that the caller may ask for a draft on `markId` of the example's saved head revision,
 * and prepares the request. Throws when there is no endpoint, the caller may not edit the
 * example now, or the mark is not an uncommented mark of the saved text.
 */
export async function prepareDraft(db: Db, access: ProjectAccess, exampleId: string, markId: string): Promise<DraftRequest> {
  const example = await db.example.findUniqueOrThrow({
    where: { id: exampleId },
    select: { stage: true, project: { select: { settings: true } }, headRevision: { select: { doc: true, text: true } } },
  });
  const allowed = DRAFTING_ROLES[example.stage as Stage];
  if (!allowed || !(access.isGlobalAdmin || access.roles.some((role) => allowed.includes(role)))) {
    throw new ForbiddenError(
      `Commentary can be drafted only while you can edit the example (a commentator in the commentary stage); it is in the ${example.stage} stage.`,
    );
  }
  if (example.stage === "commentary") await requireClaim(db, access, exampleId);
  const connection = await requireConnection(db, access.projectId);
  if (!example.headRevision) throw new NotFoundError(`Example ${exampleId} has no saved text yet.`);
  const settings = readProjectSettings(example.project.settings);
  const doc = documentFromJSON(JSON.parse(example.headRevision.doc), createSchema(settings));
  const mark = uncommentedMarks(doc).find((range) => range.id === markId);
  if (!mark) {
    throw new InvalidInputError(
      "That mark is not an uncommented bad-behaviour mark of the saved text. Wait until the editor says Saved, or pick a mark that has no commentary yet.",
    );
  }
  const guideline = await findCurrentGuideline(db, access.projectId);
  return {
    projectId: access.projectId,
    exampleId,
    userId: access.userId,
    markId,
    unalignedQuotes: settings.unalignedQuotes,
    connection,
    messages: [
      { role: "system", content: systemPrompt(guideline?.markdown ?? null) },
      { role: "user", content: userPrompt(example.headRevision.text, mark) },
    ],
  };
}

/**
 * Why `answer` cannot be the inside of an AI span, in words, or null when it can: the core's
 * check (the same the editor makes of a person's edit), and a bound on its length.
 */
export function draftProblem(answer: string, options: { unalignedQuotes: boolean }): string | null {
  if (codePoints(answer).length > MAX_DRAFT_CODE_POINTS) {
    return `The model's answer is longer than ${MAX_DRAFT_CODE_POINTS} characters; nothing was inserted. Ask again, or write the commentary yourself.`;
  }
  const problem = aiSpanInsideProblem(answer, options);
  return problem && `The model's answer cannot be inserted as commentary. ${problem} Nothing was inserted; ask again, or write the commentary yourself.`;
}

/**
 * Streams the model's answer to a prepared request, then checks it and keeps it as a draft.
 * Every failure (endpoint, timeout, cancellation, an answer that breaks the grammar) ends the
 * stream with a `refused` event whose message says what happened; nothing is kept then.
 */
export async function* streamDraft(db: Db, request: DraftRequest, signal?: AbortSignal): AsyncGenerator<DraftEvent> {
  let answer = "";
  let length = 0;
  let release: (() => void) | undefined;
  try {
    release = acquireRequestSlot(request.projectId);
    for await (const text of streamText(request.connection, { messages: request.messages, ...(signal ? { signal } : {}) })) {
      answer += text;
      length += codePoints(text).length;
      yield { kind: "text", text };
      // Leaving the loop ends the model's request; draftProblem below refuses the answer.
      if (length > MAX_DRAFT_CODE_POINTS) break;
    }
  } catch (error) {
    yield { kind: "refused", message: describeFailure(error, request.connection).message };
    return;
  } finally {
    // Also when the caller stops reading (a closed page): the generator's return runs this.
    release?.();
  }
  const problem = draftProblem(answer, { unalignedQuotes: request.unalignedQuotes });
  if (problem) {
    yield { kind: "refused", message: problem };
    return;
  }
  const draft = await db.modelDraft.create({
    data: { exampleId: request.exampleId, userId: request.userId, markId: request.markId, model: request.connection.model, text: answer },
    select: draftSelect,
  });
  yield { kind: "draft", draft };
}

const draftSelect = { id: true, markId: true, model: true, text: true } satisfies Prisma.ModelDraftSelect;

/**
 * Records that the caller accepted their draft `draftId` of the example: their next save of
 * it becomes model-drafted. Throws `NotFoundError` for a draft that is not theirs.
 */
export async function acceptDraft(db: Db, access: ProjectAccess, exampleId: string, draftId: string): Promise<DraftView> {
  const accepted = await db.modelDraft.updateMany({
    where: { id: draftId, exampleId, userId: access.userId, revisionId: null },
    data: { acceptedAt: new Date() },
  });
  if (accepted.count !== 1) throw new NotFoundError("There is no such draft of yours on this example. Ask for a new draft.");
  return db.modelDraft.findUniqueOrThrow({ where: { id: draftId }, select: draftSelect });
}

/**
 * The lineage a new revision by `userId` based on `base` carries: model-drafted when the base
 * was, or when the saver accepted a draft on the example that no revision has taken in yet;
 * with the drafting model's name, and the drafts it takes in. One indexed read, which
 * `saveExample` makes before its transaction; {@link recordDraftsTakenIn} then writes in it.
 */
export async function draftLineage(
  db: Db | Prisma.TransactionClient,
  save: { exampleId: string; userId: string; base: { modelDrafted: boolean; draftModel: string | null } },
): Promise<{ modelDrafted: boolean; draftModel: string | null; takesIn: string[] }> {
  const accepted = await db.modelDraft.findMany({
    where: { exampleId: save.exampleId, userId: save.userId, acceptedAt: { not: null }, revisionId: null },
    orderBy: { acceptedAt: "desc" },
    select: { id: true, model: true },
  });
  if (accepted.length > 0) return { modelDrafted: true, draftModel: accepted[0]!.model, takesIn: accepted.map((draft) => draft.id) };
  return { modelDrafted: save.base.modelDrafted, draftModel: save.base.draftModel, takesIn: [] };
}

/** Marks the drafts a new revision took in (see {@link draftLineage}) as taken in by it. */
export async function recordDraftsTakenIn(tx: Prisma.TransactionClient, drafts: string[], revisionId: string): Promise<void> {
  if (drafts.length === 0) return;
  await tx.modelDraft.updateMany({ where: { id: { in: drafts } }, data: { revisionId } });
}
