/**
 * Queues and claims (SPEC §4): each role pulls the next example from its stage's queue, and
 * holds it under a lease (`Example.claimedById` until `claimExpiresAt`) so that two people
 * never work on one example at once. A lease is renewed while the person works, released on
 * submit or hand-back, and lapses on expiry, after which anyone may take the example and the
 * first holder's writes are refused.
 *
 * Taking is one statement on both databases, which finds the first free example of the queue
 * and takes it, so it is atomic. SQLite runs one writer at a time anyway; on PostgreSQL, where
 * many take at once, the statement skips rows that others are taking at that moment (`FOR
 * UPDATE SKIP LOCKED`), so that twenty people taking together neither queue on one row nor
 * retry down the same list.
 */
import { CLAIM_LEASE_MS, QUEUE_STAGES, type Role, type Stage } from "@prealign/core";
import { empty, join, sqltag as sql } from "@prisma/client/runtime/client";
import type { Db, Prisma } from "../db/database.ts";
import { providerOf } from "../db/drivers.ts";
import { ConflictError, ForbiddenError, NotFoundError } from "../errors.ts";
import type { ProjectAccess } from "./access.ts";

/** The roles that pull from a queue. */
export const QUEUE_ROLES = ["commentator", "reviewer", "adjudicator"] as const;

/** A role that pulls from a queue. */
export type QueueRole = (typeof QUEUE_ROLES)[number];

/** The fields of an example that say who holds it. */
export const claimSelect = {
  claimedById: true,
  claimExpiresAt: true,
  claimedBy: { select: { id: true, name: true } },
} satisfies Prisma.ExampleSelect;

/** An example's claim as stored. */
export type StoredClaim = Prisma.ExampleGetPayload<{ select: typeof claimSelect }>;

/** An example's claim as the example page shows it. */
export interface ClaimView {
  /** Who holds it now; null when nobody does (or the last lease expired). */
  holder: { id: string; name: string } | null;
  /** When the holder's lease ends; null when nobody holds it. */
  expiresAt: Date | null;
  /** Whether the caller is the holder. */
  mine: boolean;
}

/** What "Take next" answers: the example taken, or why there was none. */
export type ClaimResult = { exampleId: string; expiresAt: Date } | { exampleId: null; message: string };

/** Whether a stored claim is held (by anyone) at `now`. */
function isLive(claim: { claimedById: string | null; claimExpiresAt: Date | null }, now: Date): boolean {
  return claim.claimedById !== null && claim.claimExpiresAt !== null && claim.claimExpiresAt > now;
}

/** The claim as the caller sees it at `now`: an expired lease shows as nobody's. */
export function claimView(claim: StoredClaim, userId: string, now = new Date()): ClaimView {
  if (!isLive(claim, now)) return { holder: null, expiresAt: null, mine: false };
  return { holder: claim.claimedBy, expiresAt: claim.claimExpiresAt, mine: claim.claimedById === userId };
}

/** The `where` that admits an example only while `userId` holds its unexpired claim. */
export function heldBy(userId: string, now: Date) {
  return { claimedById: userId, claimExpiresAt: { gt: now } } satisfies Prisma.ExampleWhereInput;
}

/**
 * Why `userId` does not hold the claim of an example at `now`, as an error a person can act
 * on; null when they hold it.
 */
export function claimProblem(claim: StoredClaim, userId: string, now = new Date()): ConflictError | null {
  if (claim.claimedById === userId && isLive(claim, now)) return null;
  if (claim.claimedById === userId) {
    return new ConflictError(
      `Your claim on this example expired at ${claim.claimExpiresAt?.toISOString()}, so nothing was changed. ` +
        `Take it again with "Take next" if it is still free.`,
      { reason: "claim_expired" },
    );
  }
  if (claim.claimedBy && isLive(claim, now)) {
    return new ConflictError(
      `${claim.claimedBy.name} is working on this example (their claim lasts until ${claim.claimExpiresAt?.toISOString()}); ` +
        `if you held it before, your claim has expired. Take another example with "Take next".`,
      { reason: "claimed_by_other", holder: claim.claimedBy },
    );
  }
  return new ConflictError(`You have not taken this example. Take it from your queue with "Take next" before working on it.`, {
    reason: "not_claimed",
  });
}

/**
 * Throws {@link ConflictError} unless the caller holds the unexpired claim of the example:
 * commentary saves, review actions and adjudication decisions all need it.
 */
export async function requireClaim(tx: Db | Prisma.TransactionClient, access: ProjectAccess, exampleId: string): Promise<void> {
  const claim = await tx.example.findUnique({ where: { id: exampleId }, select: claimSelect });
  if (!claim) throw new NotFoundError(`There is no example "${exampleId}". Open the example from its project.`);
  const problem = claimProblem(claim, access.userId);
  if (problem) throw problem;
}

/**
 * Whether the caller may pull from `role`'s queue: holding the role, or, for the commentary
 * queue, being a project admin (admins may edit and submit commentary) or a global admin.
 */
function mayPull(access: ProjectAccess, role: QueueRole): boolean {
  if (access.roles.includes(role)) return true;
  return role === "commentator" && (access.isGlobalAdmin || access.roles.includes("admin"));
}

/** The Participation roles that keep a person out of a queue's examples (separation of duties, SPEC §4). */
const EXCLUDING_PARTICIPATIONS: Record<QueueRole, readonly Role[]> = {
  commentator: [],
  reviewer: ["author", "commentator"],
  adjudicator: ["author", "commentator", "reviewer"],
};

/**
 * The `where` of the examples of a project waiting in `role`'s queue that `userId` may take:
 * in the queue's stage, nobody's live claim, and not one the person wrote or commented (nor,
 * to adjudicate, reviewed). Reviewed-in-this-round is checked separately (it compares two
 * columns, which a Prisma filter cannot).
 */
export function queueWhere(projectId: string, role: QueueRole, userId: string, now: Date): Prisma.ExampleWhereInput {
  const excluded = EXCLUDING_PARTICIPATIONS[role];
  return {
    projectId,
    stage: QUEUE_STAGES[role] as Stage,
    OR: [{ claimedById: null }, { claimExpiresAt: { lt: now } }],
    ...(excluded.length > 0 ? { participants: { none: { userId, role: { in: [...excluded] } } } } : {}),
  };
}

/**
 * The order a queue is taken in: the adjudication queue takes the examples whose reviewers
 * agreed least first (SPEC §4; `Example.agreement`, never-computed last), then the oldest
 * change; the other queues the oldest change first. Id breaks ties, so the order is total.
 */
export function queueOrder(role: QueueRole): Prisma.ExampleOrderByWithRelationInput[] {
  const oldest: Prisma.ExampleOrderByWithRelationInput[] = [{ updatedAt: "asc" }, { id: "asc" }];
  return role === "adjudicator" ? [{ agreement: { sort: "asc", nulls: "last" } }, ...oldest] : oldest;
}

/**
 * Takes the next example of `role`'s queue in the caller's project for the caller, in
 * {@link queueOrder}, never one they may not work on, and never one someone else holds.
 * Answers `{ exampleId: null, message }` when there is none, which is not an error.
 */
export async function claimNext(db: Db, access: ProjectAccess, role: QueueRole): Promise<ClaimResult> {
  if (!mayPull(access, role)) {
    throw new ForbiddenError(
      `Only ${role}s can take examples from the ${QUEUE_STAGES[role]} queue of project "${access.projectSlug}". ` +
        `Pick a queue of one of your roles (${access.roles.join(", ") || "none"}), or ask a project admin for the role.`,
    );
  }
  return takeNext(db, access, role);
}

/** What "Take next" answers when the queue has nothing the caller may take. */
function nothingToTake(access: ProjectAccess, role: QueueRole): ClaimResult {
  return {
    exampleId: null,
    message:
      `Nothing to take: no example in the ${QUEUE_STAGES[role]} queue of "${access.projectSlug}" is free for you ` +
      `(none is waiting, or the others are being worked on, or you may not take them because you wrote, commented or reviewed them).`,
  };
}

/**
 * "Take next" in one statement (see the module comment): the same queue as {@link queueWhere}
 * and {@link queueOrder} (and, for reviewers, not reviewed by the caller in the example's
 * current round), its first row nobody else is taking taken for the caller. `updatedAt` is set
 * as Prisma's own updates set it.
 */
async function takeNext(db: Db, access: ProjectAccess, role: QueueRole): Promise<ClaimResult> {
  const now = new Date();
  const expiresAt = new Date(now.getTime() + CLAIM_LEASE_MS);
  const excluded = EXCLUDING_PARTICIPATIONS[role];
  const notParticipant =
    excluded.length > 0
      ? sql`AND NOT EXISTS (SELECT 1 FROM "Participation" p WHERE p."exampleId" = e.id AND p."userId" = ${access.userId} AND p.role IN (${join([...excluded])}))`
      : empty;
  const notReviewed =
    role === "reviewer"
      ? sql`AND NOT EXISTS (SELECT 1 FROM "Review" r WHERE r."exampleId" = e.id AND r."reviewerId" = ${access.userId} AND r.round = e."reviewRound" AND r."submittedAt" IS NOT NULL)`
      : empty;
  const order = role === "adjudicator" ? sql`e.agreement ASC NULLS LAST, e."updatedAt" ASC, e.id ASC` : sql`e."updatedAt" ASC, e.id ASC`;
  const taken = await db.$queryRaw<{ id: string }[]>(sql`
    UPDATE "Example" SET "claimedById" = ${access.userId}, "claimExpiresAt" = ${expiresAt}, "updatedAt" = ${now}
    WHERE id = (
      SELECT e.id FROM "Example" e
      WHERE e."projectId" = ${access.projectId} AND e.stage = ${QUEUE_STAGES[role]!}
        AND (e."claimedById" IS NULL OR e."claimExpiresAt" < ${now}) ${notParticipant} ${notReviewed}
      ORDER BY ${order}
      LIMIT 1 ${providerOf(db) === "postgresql" ? sql`FOR UPDATE SKIP LOCKED` : empty}
    )
    RETURNING id`);
  const [first] = taken;
  return first === undefined ? nothingToTake(access, role) : { exampleId: first.id, expiresAt };
}

/**
 * Extends the caller's lease by {@link CLAIM_LEASE_MS} from now. The holder may renew while
 * the lease runs, and after it lapsed as long as nobody else took the example. Throws
 * {@link ConflictError} otherwise.
 */
export async function renewClaim(db: Db, access: ProjectAccess, exampleId: string): Promise<{ expiresAt: Date }> {
  const expiresAt = new Date(Date.now() + CLAIM_LEASE_MS);
  const renewed = await db.example.updateMany({ where: { id: exampleId, claimedById: access.userId }, data: { claimExpiresAt: expiresAt } });
  if (renewed.count === 1) return { expiresAt };
  const claim = await db.example.findUniqueOrThrow({ where: { id: exampleId }, select: claimSelect });
  throw claimProblem(claim, access.userId) ?? new ConflictError("Your claim changed while it was renewed; reload the example.");
}

/**
 * Hands the example back to its queue. The holder may release their own claim; a project or
 * global admin may release anyone's (for a claim left behind). Releasing an example nobody
 * holds does nothing. Throws {@link ConflictError} when someone else holds it.
 */
export async function releaseClaim(db: Db, access: ProjectAccess, exampleId: string): Promise<{ ok: true }> {
  const isAdmin = access.isGlobalAdmin || access.roles.includes("admin");
  const now = new Date();
  const released = await db.example.updateMany({
    where: { id: exampleId, ...(isAdmin ? {} : { OR: [{ claimedById: access.userId }, { claimExpiresAt: { lte: now } }] }) },
    data: { claimedById: null, claimExpiresAt: null },
  });
  if (released.count === 1) return { ok: true };
  const claim = await db.example.findUniqueOrThrow({ where: { id: exampleId }, select: claimSelect });
  if (claim.claimedById !== null && claim.claimedById !== access.userId && isLive(claim, now)) {
    throw new ConflictError(`${claim.claimedBy?.name ?? "Someone else"} holds this example, not you, so it is not yours to hand back.`);
  }
  return { ok: true };
}

/** Releases the caller's claim inside a transaction (on submit, review submit and adjudication). */
export async function releaseOwnClaim(tx: Prisma.TransactionClient, userId: string, exampleId: string): Promise<void> {
  await tx.example.updateMany({ where: { id: exampleId, claimedById: userId }, data: { claimedById: null, claimExpiresAt: null } });
}
