/**
 * Reviews, flags and adjudication (SPEC §4). A review is one reviewer's verdict on the revision
 * that entered review in the current round, with flags anchored to ranges of that revision's
 * text (code points) and a comment thread per flag. Reviewers work one at a time, each holding
 * the example's claim; the verdict that brings the round to *k* reviews completes it through
 * the workflow engine (accepted, or adjudication).
 *
 * Blind review: a reviewer sees no other review of the round (verdict, flags or comments)
 * until they have submitted their own; only {@link getReview} shows reviews at all, and it
 * decides who sees what in one place ({@link seesOtherReviews}).
 */
import { modeSpans, type FlagCategory, type FlagSeverity, type Stage, type Verdict } from "@prealign/core";
import type { Db, Prisma } from "../db/database.ts";
import { isUniqueViolation } from "../db/errors.ts";
import { ConflictError, ForbiddenError, InvalidInputError, NotFoundError } from "../errors.ts";
import type { ProjectAccess } from "./access.ts";
import { claimProblem, claimSelect, releaseOwnClaim, requireClaim } from "./claims.ts";
import { participationsOf, recordParticipation } from "./participation.ts";
import { readProjectSettings } from "./project-settings.ts";
import { asStage, transitionInTransaction } from "./workflow.ts";

const commentSelect = {
  id: true,
  body: true,
  createdAt: true,
  author: { select: { id: true, name: true } },
} satisfies Prisma.FlagCommentSelect;

const flagSelect = {
  id: true,
  start: true,
  end: true,
  category: true,
  severity: true,
  decision: true,
  comments: { select: commentSelect, orderBy: [{ createdAt: "asc" }, { id: "asc" }] },
} satisfies Prisma.FlagSelect;

const reviewSelect = {
  id: true,
  verdict: true,
  submittedAt: true,
  reviewer: { select: { id: true, name: true } },
  flags: { select: flagSelect, orderBy: [{ start: "asc" }, { end: "asc" }, { id: "asc" }] },
} satisfies Prisma.ReviewSelect;

/** One message of a flag's thread. */
export type FlagCommentView = Prisma.FlagCommentGetPayload<{ select: typeof commentSelect }>;

/** A flag with its thread. */
export type FlagView = Prisma.FlagGetPayload<{ select: typeof flagSelect }>;

/** A review with its flags. */
export type ReviewView = Prisma.ReviewGetPayload<{ select: typeof reviewSelect }>;

/** What the review page shows. */
export interface ReviewPage {
  /** The current review round (1 for the first time in review). */
  round: number;
  /** The revision under review. */
  revision: { id: string; number: number; text: string; doc: string };
  /** The caller's own review of the round, if they started one. */
  mine: ReviewView | null;
  /** The round's other submitted reviews; empty while the caller may not see them (blind review). */
  others: ReviewView[];
}

/** A new flag. */
export interface NewFlag {
  /** The example flagged. */
  exampleId: string;
  /** Where the flagged range starts, in code points of the reviewed revision's text. */
  start: number;
  /** Where it ends (exclusive). */
  end: number;
  /** What is wrong. */
  category: FlagCategory;
  /** How bad it is. */
  severity: FlagSeverity;
  /** The first message of its thread; an empty one starts no thread. */
  comment: string;
}

/** An upheld flag shown on a returned example's current text. */
export interface FlagToAddress extends FlagView {
  /** The revision it was made on (the web maps it onto the current text). */
  revision: { id: string; number: number; text: string };
}

const reviewExampleSelect = {
  id: true,
  stage: true,
  createdById: true,
  reviewRound: true,
  reviewRevisionId: true,
  project: { select: { settings: true } },
  ...claimSelect,
} satisfies Prisma.ExampleSelect;

type ReviewExample = Prisma.ExampleGetPayload<{ select: typeof reviewExampleSelect }>;

async function loadExample(tx: Db | Prisma.TransactionClient, exampleId: string): Promise<ReviewExample & { stageName: Stage }> {
  const example = await tx.example.findUnique({ where: { id: exampleId }, select: reviewExampleSelect });
  if (!example) throw new NotFoundError(`There is no example "${exampleId}". Open the example from its project.`);
  return { ...example, stageName: asStage(example.stage) };
}

function requireStage(example: { stageName: Stage }, stage: Stage, doing: string): void {
  if (example.stageName !== stage) {
    throw new ConflictError(`This example is in the ${example.stageName} stage, not ${stage}, so you cannot ${doing} now. Reload it to see where it is.`);
  }
}

/** Refuses callers who do not hold the project role themselves (global admins do not review or adjudicate). */
function requireRole(access: ProjectAccess, role: "reviewer" | "adjudicator", doing: string): void {
  if (!access.roles.includes(role)) {
    throw new ForbiddenError(`Only ${role}s can ${doing}, and your roles in project "${access.projectSlug}" are ${access.roles.join(", ") || "none"}.`);
  }
}

/** Refuses a reviewer who wrote or commented the example (separation of duties). */
async function requireNotWriter(tx: Prisma.TransactionClient, access: ProjectAccess, example: ReviewExample): Promise<void> {
  const roles = await participationsOf(tx, example.id, access.userId);
  if (example.createdById === access.userId || roles.has("author") || roles.has("commentator")) {
    throw new ForbiddenError("You wrote or commented this example, so someone else must review it (separation of duties). Take another example from your queue.");
  }
}

/**
 * Whether the caller may see the round's other reviews: after submitting their own; as the
 * adjudicator holding the claim during adjudication; or as a project or global admin who does
 * not review in the project (an admin who is also a reviewer is blind like any reviewer).
 */
function seesOtherReviews(access: ProjectAccess, example: ReviewExample & { stageName: Stage }, mine: ReviewView | null): boolean {
  if (mine?.submittedAt) return true;
  if (example.stageName === "adjudication" && access.roles.includes("adjudicator") && claimProblem(example, access.userId) === null) return true;
  return (access.isGlobalAdmin || access.roles.includes("admin")) && !access.roles.includes("reviewer");
}

/**
 * The review page of an example: the revision under review, the caller's own review, and the
 * round's other submitted reviews when the caller may see them (see {@link seesOtherReviews}).
 * Throws `NotFoundError` when the example has never been in review.
 */
export async function getReview(db: Db, access: ProjectAccess, exampleId: string): Promise<ReviewPage> {
  const example = await loadExample(db, exampleId);
  if (example.reviewRound === 0 || example.reviewRevisionId === null) {
    throw new NotFoundError("This example has not been in review yet, so it has no reviews. Submit it for review first.");
  }
  const [revision, mine] = await Promise.all([
    db.revision.findUniqueOrThrow({ where: { id: example.reviewRevisionId }, select: { id: true, number: true, text: true, doc: true } }),
    db.review.findUnique({
      where: { exampleId_round_reviewerId: { exampleId, round: example.reviewRound, reviewerId: access.userId } },
      select: reviewSelect,
    }),
  ]);
  const others = seesOtherReviews(access, example, mine)
    ? await db.review.findMany({
        where: { exampleId, round: example.reviewRound, reviewerId: { not: access.userId }, submittedAt: { not: null } },
        select: reviewSelect,
        orderBy: [{ submittedAt: "asc" }, { id: "asc" }],
      })
    : [];
  return { round: example.reviewRound, revision, mine, others };
}

/** The caller's review of the current round, created if they have none; refused once submitted. */
async function openReview(tx: Prisma.TransactionClient, access: ProjectAccess, example: ReviewExample): Promise<string> {
  const key = { exampleId: example.id, round: example.reviewRound, reviewerId: access.userId };
  const review =
    (await tx.review.findUnique({ where: { exampleId_round_reviewerId: key }, select: { id: true, submittedAt: true } })) ??
    (await tx.review.create({ data: { ...key, revisionId: example.reviewRevisionId! }, select: { id: true, submittedAt: true } }));
  if (review.submittedAt) {
    throw new ConflictError(`You have submitted your review of round ${example.reviewRound}; its flags can no longer change.`);
  }
  return review.id;
}

function codePointCount(text: string): number {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}

/**
 * Refuses a flag range that is empty, outside the text, or not inside one mode span of the
 * text (it would cross a tag).
 */
function checkRange(text: string, unalignedQuotes: boolean, start: number, end: number): void {
  const length = codePointCount(text);
  if (!(start < end)) throw new InvalidInputError(`A flag needs a range of at least one character; select the text to flag (start ${start}, end ${end}).`);
  if (start < 0 || end > length) {
    throw new InvalidInputError(`The range ${start}–${end} is outside the text, which is ${length} characters long. Select text inside it.`);
  }
  const inside = modeSpans(text, { unalignedQuotes }).some((span) => span.start <= start && end <= span.end);
  if (!inside) {
    throw new InvalidInputError(`The range ${start}–${end} crosses a tag. Flag the text on one side of the tag, or make one flag per part.`);
  }
}

/** Adds a flag (with its first comment) to the caller's review of the current round; the caller must hold the claim. */
export async function addFlag(db: Db, access: ProjectAccess, flag: NewFlag): Promise<FlagView> {
  requireRole(access, "reviewer", "flag an example");
  return db.$transaction(async (tx) => {
    const example = await loadExample(tx, flag.exampleId);
    requireStage(example, "review", "flag it");
    await requireClaim(tx, access, example.id);
    await requireNotWriter(tx, access, example);
    const revision = await tx.revision.findUniqueOrThrow({ where: { id: example.reviewRevisionId! }, select: { id: true, text: true } });
    checkRange(revision.text, readProjectSettings(example.project.settings).unalignedQuotes, flag.start, flag.end);
    const reviewId = await openReview(tx, access, example);
    await recordParticipation(tx, example.id, access.userId, "reviewer");
    const body = flag.comment.trim();
    return tx.flag.create({
      data: {
        reviewId,
        exampleId: example.id,
        revisionId: revision.id,
        start: flag.start,
        end: flag.end,
        category: flag.category,
        severity: flag.severity,
        ...(body === "" ? {} : { comments: { create: { authorId: access.userId, body } } }),
      },
      select: flagSelect,
    });
  });
}

/** The caller's own flag on the current round's unsubmitted review, or a refusal. */
async function ownOpenFlag(tx: Prisma.TransactionClient, access: ProjectAccess, example: ReviewExample, flagId: string) {
  const flag = await tx.flag.findFirst({
    where: { id: flagId, exampleId: example.id },
    select: { id: true, review: { select: { reviewerId: true, round: true, submittedAt: true } } },
  });
  if (!flag || flag.review.reviewerId !== access.userId || flag.review.round !== example.reviewRound) {
    throw new NotFoundError("You have no such flag on this example's current review. Reload the review.");
  }
  if (flag.review.submittedAt) throw new ConflictError("Your review is submitted; its flags can no longer change.");
  return flag;
}

/** Removes one of the caller's flags before they submit; the caller must hold the claim. */
export async function removeFlag(db: Db, access: ProjectAccess, exampleId: string, flagId: string): Promise<{ ok: true }> {
  requireRole(access, "reviewer", "remove flags");
  return db.$transaction(async (tx) => {
    const example = await loadExample(tx, exampleId);
    requireStage(example, "review", "change flags");
    await requireClaim(tx, access, exampleId);
    await ownOpenFlag(tx, access, example, flagId);
    await tx.flagComment.deleteMany({ where: { flagId } });
    await tx.flag.delete({ where: { id: flagId }, select: { id: true } });
    return { ok: true as const };
  });
}

/**
 * Adds a message to a flag's thread. The caller must hold the claim, and either be the
 * reviewer whose flag it is (current round, in review) or the adjudicator of the example.
 */
export async function commentOnFlag(db: Db, access: ProjectAccess, exampleId: string, flagId: string, body: string): Promise<FlagCommentView> {
  return db.$transaction(async (tx) => {
    const example = await loadExample(tx, exampleId);
    const flag = await tx.flag.findFirst({
      where: { id: flagId, exampleId },
      select: { id: true, review: { select: { reviewerId: true, round: true, submittedAt: true } } },
    });
    if (!flag || flag.review.round !== example.reviewRound) throw new NotFoundError("There is no such flag on this example's current round. Reload the page.");
    const ownFlag = example.stageName === "review" && flag.review.reviewerId === access.userId;
    const adjudicating = example.stageName === "adjudication" && access.roles.includes("adjudicator") && flag.review.submittedAt !== null;
    if (!ownFlag && !adjudicating) {
      throw new ForbiddenError("Only the reviewer who raised a flag (while reviewing) and the adjudicator (while adjudicating) can comment on it.");
    }
    await requireClaim(tx, access, exampleId);
    return tx.flagComment.create({ data: { flagId, authorId: access.userId, body: body.trim() }, select: commentSelect });
  });
}

/**
 * Submits the caller's verdict for the current round and releases their claim. When the
 * round then has the project's *k* submitted reviews, the workflow engine completes it
 * (`complete_review`: accepted when all accept with no blocker flag, else adjudication), in
 * the same transaction. Refuses a second review of the same round.
 */
export async function submitReview(db: Db, access: ProjectAccess, exampleId: string, verdict: Verdict): Promise<{ stage: Stage }> {
  requireRole(access, "reviewer", "submit a review");
  try {
    return await db.$transaction(async (tx) => {
      const example = await loadExample(tx, exampleId);
      requireStage(example, "review", "submit a review");
      await requireClaim(tx, access, exampleId);
      await requireNotWriter(tx, access, example);
      const reviewId = await openReview(tx, access, example);
      const submitted = await tx.review.updateMany({ where: { id: reviewId, submittedAt: null }, data: { verdict, submittedAt: new Date() } });
      if (submitted.count !== 1) throw new ConflictError(`You have submitted your review of round ${example.reviewRound} already.`);
      await recordParticipation(tx, exampleId, access.userId, "reviewer");
      const k = readProjectSettings(example.project.settings).reviewersPerExample;
      const count = await tx.review.count({ where: { exampleId, round: example.reviewRound, submittedAt: { not: null } } });
      if (count < k) {
        await releaseOwnClaim(tx, access.userId, exampleId);
        return { stage: "review" as const };
      }
      return transitionInTransaction(tx, access, exampleId, { action: "complete_review" });
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConflictError("Your review of this round was being saved at the same moment; reload the review.");
    throw error;
  }
}

/**
 * Upholds or dismisses a flag of the round under adjudication. The caller must be an
 * adjudicator holding the claim who neither wrote, commented nor reviewed the example.
 */
export async function decideFlag(db: Db, access: ProjectAccess, exampleId: string, flagId: string, decision: "upheld" | "dismissed"): Promise<FlagView> {
  requireRole(access, "adjudicator", "decide on flags");
  return db.$transaction(async (tx) => {
    const example = await loadExample(tx, exampleId);
    requireStage(example, "adjudication", "decide on flags");
    await requireClaim(tx, access, exampleId);
    const roles = await participationsOf(tx, exampleId, access.userId);
    if (example.createdById === access.userId || roles.has("author") || roles.has("commentator") || roles.has("reviewer")) {
      throw new ForbiddenError("You wrote, commented or reviewed this example, so someone else must adjudicate it (separation of duties).");
    }
    const decided = await tx.flag.updateMany({
      where: { id: flagId, exampleId, review: { round: example.reviewRound, submittedAt: { not: null } } },
      data: { decision, decidedById: access.userId },
    });
    if (decided.count !== 1) throw new NotFoundError("There is no such flag among this round's reviews. Reload the page.");
    await recordParticipation(tx, exampleId, access.userId, "adjudicator");
    return tx.flag.findUniqueOrThrow({ where: { id: flagId }, select: flagSelect });
  });
}

/**
 * The flags upheld by the adjudication that returned the example, for its author or
 * commentator to address; empty unless the example is back in draft or commentary after a
 * review round.
 */
export async function flagsToAddress(db: Db, exampleId: string): Promise<FlagToAddress[]> {
  const example = await loadExample(db, exampleId);
  if ((example.stageName !== "draft" && example.stageName !== "commentary") || example.reviewRound === 0) return [];
  const flags = await db.flag.findMany({
    where: { exampleId, decision: "upheld", review: { round: example.reviewRound } },
    select: { ...flagSelect, revisionId: true },
    orderBy: [{ start: "asc" }, { id: "asc" }],
  });
  if (flags.length === 0) return [];
  const revisions = await db.revision.findMany({
    where: { id: { in: [...new Set(flags.map((flag) => flag.revisionId))] } },
    select: { id: true, number: true, text: true },
  });
  const byId = new Map(revisions.map((revision) => [revision.id, revision]));
  return flags.map(({ revisionId, ...flag }) => ({ ...flag, revision: byId.get(revisionId)! }));
}
