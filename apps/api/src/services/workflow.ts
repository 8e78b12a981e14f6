/**
 * The transition engine: moves examples between stages as the core's `STAGE_MACHINE` says and
 * nothing else. Each row's roles are checked here and each of its guards by one function of
 * {@link GUARDS}; the same checks, run without writing, explain to the example page which
 * actions the caller may take ({@link availableActions}).
 *
 * A transition happens in one transaction: the example is read, the row chosen and its guards
 * checked, then the stage is moved with a conditional update (only if the example is still in
 * the stage that was read, and still claimed by the caller where the row needs the claim), so
 * that of two concurrent transitions at most one passes; the audit event, the claim's release,
 * the Participation and the review-round bookkeeping are written in the same transaction.
 *
 * When a review round completes, the example's `agreement` (the share of reviewer pairs that
 * gave the same verdict, `verdictAgreement`) is stored for the adjudication queue, and a round
 * that would be accepted goes to adjudication anyway with the project's audit rate, drawn at
 * random ({@link setAuditDraw}), so that misses are measured where nobody flagged (SPEC §4).
 */
import {
  createSchema,
  documentFromJSON,
  STAGE_MACHINE,
  STAGES,
  transitionsFrom,
  uncommentedMarks,
  verdictAgreement,
  badBehaviourMarks,
  type Role,
  type Stage,
  type StageAction,
  type StageTransition,
  type TransitionGuard,
} from "@prealign/core";
import type { Node } from "prosemirror-model";
import type { Db, Prisma } from "../db/database.ts";
import { ConflictError, DomainError, ForbiddenError, InvalidInputError, NotFoundError } from "../errors.ts";
import type { ProjectAccess } from "./access.ts";
import { recordAudit } from "./audit.ts";
import { claimProblem, claimSelect, heldBy } from "./claims.ts";
import { participationsOf, recordParticipation, type ParticipationRole } from "./participation.ts";
import { readProjectSettings, type ProjectSettings } from "./project-settings.ts";

/** The actions a person asks for through `workflow.act` (`complete_review` happens through `reviews.submit`). */
export const REQUESTABLE_ACTIONS = ["submit", "accept", "return", "reject", "send_back"] as const;

/** What a person asks the engine to do. */
export interface ActionRequest {
  /** The action (a row's `action`). */
  action: StageAction;
  /** The stage to go to, where the action has several (return, send_back); otherwise optional. */
  to?: Stage;
  /** Why, in the actor's words (needed by return, reject and send_back). */
  reason?: string;
}

/** One action the example page offers, with why not when it is not allowed. */
export interface AvailableAction {
  /** The row's action. */
  action: StageAction;
  /** Where it leads. */
  to: Stage;
  /** A button label. */
  label: string;
  /** Whether the caller may take it now. */
  allowed: boolean;
  /** Why not, in words, when not allowed; null when allowed. */
  reason: string | null;
  /** Whether the action needs a reason from the person. */
  needsReason: boolean;
}

const workflowExampleSelect = {
  id: true,
  projectId: true,
  stage: true,
  createdById: true,
  headRevisionId: true,
  reviewRound: true,
  reviewRevisionId: true,
  ...claimSelect,
  project: { select: { settings: true } },
} satisfies Prisma.ExampleSelect;

type WorkflowExample = Prisma.ExampleGetPayload<{ select: typeof workflowExampleSelect }>;

/** Everything the guards look at; costly facts are read once, when a guard first asks. */
interface GuardContext {
  tx: Prisma.TransactionClient;
  access: ProjectAccess;
  example: WorkflowExample;
  stage: Stage;
  settings: ProjectSettings;
  now: Date;
  reason: string | null;
  /** "act" checks everything; "preview" (for {@link availableActions}) cannot know the verdict yet. */
  mode: "act" | "preview";
  headDoc(): Promise<Node>;
  participations(): Promise<Set<ParticipationRole>>;
  roundReviews(): Promise<{ reviewerId: string; verdict: string | null; blockers: number }[]>;
  /** Whether a round that passed review is drawn for an audit: drawn once, with the project's audit rate. */
  auditDrawn(): Promise<boolean>;
}

/** A source of numbers uniformly drawn from [0, 1), like `Math.random`. */
export type AuditDraw = () => number;

let auditDraw: AuditDraw = Math.random;

/**
 * Replaces the source of the audit draws (tests give a seeded one so that both outcomes are
 * certain); returns a function that puts the previous source back.
 */
export function setAuditDraw(draw: AuditDraw): () => void {
  const previous = auditDraw;
  auditDraw = draw;
  return () => {
    auditDraw = previous;
  };
}

/** Reads a stored stage, refusing a value that is not one. */
export function asStage(stored: string): Stage {
  const stage = STAGES.find((known) => known === stored);
  if (!stage) throw new Error(`The database holds an unknown stage "${stored}"`);
  return stage;
}

function plural(role: Role): string {
  return `${role}s`;
}

function listInWords(words: readonly string[]): string {
  if (words.length <= 1) return words.join("");
  return `${words.slice(0, -1).join(", ")} and ${words.at(-1)}`;
}

/** A button label for a row. */
export function labelOf(row: StageTransition): string {
  switch (row.action) {
    case "submit":
      return row.to === "commentary" ? "Submit for commentary" : "Submit for review";
    case "complete_review":
      return row.to === "accepted" ? "Submit review (round accepted)" : "Submit review (round goes to adjudication)";
    case "accept":
      return "Accept";
    case "return":
      return `Return to ${row.to}`;
    case "reject":
      return "Reject";
    case "send_back":
      return `Send back to ${row.to}`;
  }
}

/**
 * Whether the caller's roles let them take `row`: a project role the row names, or, for a
 * global admin, any row a project admin may take (SPEC §4: global admins may do what admins do;
 * they do not review or adjudicate unless they hold those roles).
 */
export function mayTake(access: ProjectAccess, row: StageTransition): boolean {
  return access.roles.some((role) => row.roles.includes(role)) || (access.isGlobalAdmin && row.roles.includes("admin"));
}

/** The guards that choose between rows of one action rather than refuse it. */
const ROUTING_GUARDS: readonly TransitionGuard[] = ["commentary_needed", "commentary_skippable", "reviews_agree", "reviews_disagree"];

/** Whether the head document has bad-behaviour marks. */
async function hasMarks(context: GuardContext): Promise<boolean> {
  return badBehaviourMarks(await context.headDoc()).length > 0;
}

/** Whether the round has all its reviews in, whether they agree on acceptance, and whether an accepting round was drawn for an audit. */
async function roundOutcome(context: GuardContext): Promise<{ complete: boolean; agree: boolean; audited: boolean; message: string }> {
  const k = context.settings.reviewersPerExample;
  const reviews = await context.roundReviews();
  const submitted = reviews.filter((review) => review.verdict !== null);
  if (context.mode === "preview") {
    // The caller's verdict is not known yet: say whether theirs would complete the round.
    const callerIn = submitted.some((review) => review.reviewerId === context.access.userId);
    const complete = !callerIn && submitted.length + 1 >= k;
    return {
      complete,
      agree: complete,
      audited: false,
      message: callerIn
        ? `You have submitted your review of round ${context.example.reviewRound}.`
        : `The round needs ${k} reviews and ${submitted.length} are in, so submitting yours does not complete it yet.`,
    };
  }
  const complete = submitted.length >= k;
  const agree = complete && submitted.every((review) => review.verdict === "accept" && review.blockers === 0);
  return { complete, agree, audited: agree && (await context.auditDrawn()), message: `The round needs ${k} reviews and ${submitted.length} are in.` };
}

/**
 * One check per entry of `TRANSITION_GUARDS`: null when it holds, else the error (kind and
 * words) that refuses the transition.
 */
const GUARDS: Record<TransitionGuard, (context: GuardContext) => Promise<DomainError | null>> = {
  async commentary_needed(context) {
    if (!context.settings.skipCommentaryWhenNoMarks || (await hasMarks(context))) return null;
    return new InvalidInputError(
      "This project skips commentary for examples without bad-behaviour marks, and this one has none: submitting sends it straight to review.",
    );
  },
  async commentary_skippable(context) {
    if (!context.settings.skipCommentaryWhenNoMarks) {
      return new InvalidInputError("This project does not skip commentary: submitting sends the example to the commentary stage.");
    }
    if (await hasMarks(context)) {
      return new InvalidInputError("This example has bad-behaviour marks, so it goes to the commentary stage for AI commentary first.");
    }
    return null;
  },
  async marks_commented(context) {
    const marks = uncommentedMarks(await context.headDoc());
    if (marks.length === 0) return null;
    const listed = marks.map((mark) => `${mark.category} at ${mark.start}–${mark.end}`).join("; ");
    return new InvalidInputError(
      `${marks.length === 1 ? "A bad-behaviour mark has" : `${marks.length} bad-behaviour marks have`} no AI commentary: ${listed}. ` +
        `Add AI commentary for each and link it to the mark, then try again.`,
      { marks: marks.map(({ id, category, start, end }) => ({ id, category, start, end })) },
    );
  },
  async holds_claim(context) {
    return claimProblem(context.example, context.access.userId, context.now);
  },
  async not_participant(context) {
    const roles = await context.participations();
    if (context.example.createdById === context.access.userId) roles.add("author");
    const reviewing = context.stage === "review";
    const barred: ParticipationRole[] = reviewing ? ["author", "commentator"] : ["author", "commentator", "reviewer"];
    const role = barred.find((held) => roles.has(held));
    if (!role) return null;
    const did = { author: "wrote", commentator: "commented", reviewer: "reviewed", adjudicator: "adjudicated" }[role];
    return new ForbiddenError(
      `You ${did} this example, so someone else must ${reviewing ? "review" : "adjudicate"} it (separation of duties). Take another example from your queue.`,
    );
  },
  async reviews_agree(context) {
    const outcome = await roundOutcome(context);
    if (outcome.agree && !outcome.audited) return null;
    if (outcome.audited) return new ConflictError("Every review accepts, but the round was drawn for an audit, so it goes to adjudication.");
    return new ConflictError(outcome.complete ? "The reviews do not all accept, or a flag is a blocker." : outcome.message);
  },
  async reviews_disagree(context) {
    const outcome = await roundOutcome(context);
    if (outcome.complete && (context.mode === "preview" || !outcome.agree || outcome.audited)) return null;
    return new ConflictError(outcome.complete ? "Every review accepts and no flag is a blocker." : outcome.message);
  },
  async reason_given(context) {
    if (context.mode === "preview" || (context.reason !== null && context.reason.trim() !== "")) return null;
    return new InvalidInputError("Give a reason: the people who worked on the example will read it, and the audit log keeps it.");
  },
};

async function loadContext(tx: Prisma.TransactionClient, access: ProjectAccess, exampleId: string, mode: GuardContext["mode"], reason: string | null): Promise<GuardContext> {
  const example = await tx.example.findUnique({ where: { id: exampleId }, select: workflowExampleSelect });
  if (!example) throw new NotFoundError(`There is no example "${exampleId}". Open the example from its project.`);
  const settings = readProjectSettings(example.project.settings);
  let headDoc: Promise<Node> | null = null;
  let participations: Promise<Set<ParticipationRole>> | null = null;
  let roundReviews: ReturnType<GuardContext["roundReviews"]> | null = null;
  let audited: Promise<boolean> | null = null;
  return {
    tx,
    access,
    example,
    stage: asStage(example.stage),
    settings,
    now: new Date(),
    reason,
    mode,
    headDoc: () =>
      (headDoc ??= tx.revision
        .findUniqueOrThrow({ where: { id: example.headRevisionId ?? "" }, select: { doc: true } })
        .then((revision) => documentFromJSON(JSON.parse(revision.doc), createSchema({ unalignedQuotes: settings.unalignedQuotes })))),
    participations: () => (participations ??= participationsOf(tx, example.id, access.userId)),
    roundReviews: () =>
      (roundReviews ??= tx.review
        .findMany({
          where: { exampleId: example.id, round: example.reviewRound },
          select: { reviewerId: true, verdict: true, submittedAt: true, _count: { select: { flags: { where: { severity: "blocker" } } } } },
        })
        .then((reviews) =>
          reviews.map((review) => ({
            reviewerId: review.reviewerId,
            verdict: review.submittedAt === null ? null : review.verdict,
            blockers: review._count.flags,
          })),
        )),
    auditDrawn: () => (audited ??= Promise.resolve(settings.auditRate > 0 && auditDraw() < settings.auditRate)),
  };
}

/** The first guard of `guards` that fails, as its error; null when all hold. */
async function firstFailure(context: GuardContext, guards: readonly TransitionGuard[]): Promise<DomainError | null> {
  for (const guard of guards) {
    const failure = await GUARDS[guard](context);
    if (failure) return failure;
  }
  return null;
}

function notInTable(stage: Stage, action: StageAction): ConflictError {
  const leaving = STAGE_MACHINE.filter((row) => row.from === stage);
  if (leaving.length === 0) return new ConflictError(`This example is ${stage}, which is final: nothing moves it any more.`);
  const offered = [...new Set(leaving.filter((row) => row.action !== "complete_review").map((row) => row.action.replace("_", " ")))];
  return new ConflictError(
    `An example in the ${stage} stage cannot be given "${action.replace("_", " ")}" (it may have moved on since you opened it; reload it). ` +
      `From ${stage} the actions are: ${listInWords(offered)}.`,
  );
}

/**
 * The row of `STAGE_MACHINE` that `request` takes the example along, with its roles and guards
 * checked; throws the refusal (not in the table: ConflictError; the wrong `to`: InvalidInputError;
 * the wrong role: ForbiddenError; otherwise the first failing guard's error).
 */
async function chooseTransition(context: GuardContext, request: ActionRequest): Promise<StageTransition> {
  const { stage, access } = context;
  const rows = transitionsFrom(stage, request.action);
  if (rows.length === 0) throw notInTable(stage, request.action);
  const aimed = request.to === undefined ? rows : rows.filter((row) => row.to === request.to);
  if (aimed.length === 0) {
    throw new InvalidInputError(`From ${stage}, "${request.action.replace("_", " ")}" leads to ${listInWords(rows.map((row) => row.to))}, not to ${request.to}.`);
  }
  const permitted = aimed.filter((row) => mayTake(access, row));
  if (permitted.length === 0) {
    const roles = [...new Set(aimed.flatMap((row) => row.roles))];
    throw new ForbiddenError(
      `Only ${listInWords(roles.map(plural))} can ${request.action.replace("_", " ")} an example in the ${stage} stage, ` +
        `and your roles in project "${access.projectSlug}" are ${access.roles.join(", ") || "none"}.`,
    );
  }
  let refusal: DomainError | null = null;
  for (const row of permitted) {
    const routing = await firstFailure(context, row.guards.filter((guard) => ROUTING_GUARDS.includes(guard)));
    if (routing) {
      refusal ??= routing;
      continue;
    }
    const failure = await firstFailure(context, row.guards.filter((guard) => !ROUTING_GUARDS.includes(guard)));
    if (failure) throw failure;
    return row;
  }
  throw refusal!;
}

/** The Participation a row's actor earns, if any. */
function participationOf(access: ProjectAccess, row: StageTransition): ParticipationRole | null {
  if (row.from === "draft" && row.action === "submit" && access.roles.includes("author")) return "author";
  if (row.from === "commentary" && row.action === "submit" && access.roles.includes("commentator")) return "commentator";
  if (row.action === "complete_review") return "reviewer";
  if (row.from === "adjudication" && row.roles.includes("adjudicator") && access.roles.includes("adjudicator")) return "adjudicator";
  return null;
}

/**
 * Takes one transition inside `tx` (which the caller may have used to write more, such as the
 * verdict that completes a review round): chooses and checks the row, moves the stage only if
 * it is still the one read, releases the claim, records the Participation, opens a review round
 * when entering review, and writes the audit event. Returns the new stage.
 */
export async function transitionInTransaction(
  tx: Prisma.TransactionClient,
  access: ProjectAccess,
  exampleId: string,
  request: ActionRequest,
): Promise<{ stage: Stage }> {
  const reason = request.reason?.trim() || null;
  const context = await loadContext(tx, access, exampleId, "act", reason);
  const row = await chooseTransition(context, request);
  const { example } = context;
  const entersReview = row.to === "review";
  const completesRound = row.action === "complete_review";
  const audit = completesRound && row.to === "adjudication" && (await roundOutcome(context)).audited;
  const moved = await tx.example.updateMany({
    where: { id: example.id, stage: row.from, ...(row.guards.includes("holds_claim") ? heldBy(access.userId, context.now) : {}) },
    data: {
      stage: row.to,
      claimedById: null,
      claimExpiresAt: null,
      ...(entersReview ? { reviewRound: { increment: 1 }, reviewRevisionId: example.headRevisionId } : {}),
      ...(completesRound ? { agreement: await roundAgreement(context) } : {}),
    },
  });
  if (moved.count !== 1) {
    throw new ConflictError(
      `Someone else changed this example while you acted on it (it is no longer in the ${row.from} stage as you saw it, or your claim lapsed). Reload it and try again.`,
    );
  }
  const participation = participationOf(access, row);
  if (participation) await recordParticipation(tx, example.id, access.userId, participation);
  await recordAudit(tx, [
    {
      actorId: access.userId,
      action: "example.stage",
      projectId: example.projectId,
      exampleId: example.id,
      from: row.from,
      to: row.to,
      ...(audit ? { reason: auditReason(context.settings.auditRate) } : reason === null ? {} : { reason }),
      data: {
        action: row.action,
        round: entersReview ? example.reviewRound + 1 : example.reviewRound,
        ...(audit ? { audit: true, auditRate: context.settings.auditRate } : {}),
      },
    },
  ]);
  return { stage: row.to };
}

/** The agreement of the round's submitted verdicts (see `verdictAgreement`). */
async function roundAgreement(context: GuardContext): Promise<number | null> {
  const reviews = await context.roundReviews();
  return verdictAgreement(reviews.flatMap((review) => (review.verdict === null ? [] : [review.verdict])));
}

/** The audit event's reason for a round drawn for an audit, in words for the adjudicator and the audit log. */
function auditReason(rate: number): string {
  return `Audit: every review accepted, and the round was drawn at random (audit rate ${formatPercent(rate)}) to be adjudicated anyway, so that misses are measured where nobody flagged.`;
}

/** A share as a percentage with at most one decimal ("5 %", "2.5 %"). */
function formatPercent(share: number): string {
  return `${Math.round(share * 1000) / 10} %`;
}

/**
 * Moves an example along the stage machine as `request` asks (see
 * {@link transitionInTransaction}); nothing is written when it is refused.
 */
export function actOnExample(db: Db, access: ProjectAccess, exampleId: string, request: ActionRequest): Promise<{ stage: Stage }> {
  if (request.action === "complete_review") {
    return Promise.reject(new InvalidInputError(`A review round completes when its last reviewer submits a verdict; submit your review instead.`));
  }
  return db.$transaction((tx) => transitionInTransaction(tx, access, exampleId, request));
}

/**
 * Every row of the stage machine leaving the example's stage that the caller's roles could
 * take, each with whether its guards hold now and, when not, why. A reason is not asked for
 * here (`needsReason` says which rows need one), and a review round's outcome cannot be known
 * before the verdict, so those rows say only whether the caller's review would complete it.
 */
export async function availableActions(db: Db, access: ProjectAccess, exampleId: string): Promise<AvailableAction[]> {
  const context = await loadContext(db, access, exampleId, "preview", null);
  const rows = STAGE_MACHINE.filter((row) => row.from === context.stage && mayTake(access, row));
  const actions: AvailableAction[] = [];
  for (const row of rows) {
    const failure = await firstFailure(context, row.guards);
    actions.push({
      action: row.action,
      to: row.to,
      label: labelOf(row),
      allowed: failure === null,
      reason: failure?.message ?? null,
      needsReason: row.guards.includes("reason_given"),
    });
  }
  return actions;
}
