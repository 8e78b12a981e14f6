/**
 * Who took part in an example and how (SPEC §4, separation of duties): authors and
 * commentators may not review or adjudicate what they wrote or commented, and reviewers may
 * not adjudicate what they reviewed.
 */
import type { Prisma } from "../db/database.ts";
import { IdSource } from "../db/ids.ts";

/** The ways of taking part in an example. */
export type ParticipationRole = "author" | "commentator" | "reviewer" | "adjudicator";

/** Ids of the participations this process records. */
const ids = new IdSource();

/**
 * Records that `userId` took part in the example as `role` (once per role). One plain
 * statement: every first save of a person records one, and Prisma's upsert compiles a query
 * and reads before it writes.
 */
export async function recordParticipation(
  tx: Prisma.TransactionClient,
  exampleId: string,
  userId: string,
  role: ParticipationRole,
): Promise<void> {
  await tx.$executeRaw`
    INSERT INTO "Participation" (id, "exampleId", "userId", role, "createdAt") VALUES (${ids.next()}, ${exampleId}, ${userId}, ${role}, ${new Date()})
    ON CONFLICT ("exampleId", "userId", role) DO NOTHING`;
}

/** The roles in which `userId` took part in the example. */
export async function participationsOf(tx: Prisma.TransactionClient, exampleId: string, userId: string): Promise<Set<ParticipationRole>> {
  const rows = await tx.participation.findMany({ where: { exampleId, userId }, select: { role: true } });
  return new Set(rows.map((row) => row.role as ParticipationRole));
}
