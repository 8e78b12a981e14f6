/**
 * Who took part in an example and how (SPEC §4, separation of duties): authors and
 * commentators may not review or adjudicate what they wrote or commented, and reviewers may
 * not adjudicate what they reviewed.
 */
import type { Prisma } from "../db/database.ts";

/** The ways of taking part in an example. */
export type ParticipationRole = "author" | "commentator" | "reviewer" | "adjudicator";

/** Records that `userId` took part in the example as `role` (once per role). */
export async function recordParticipation(
  tx: Prisma.TransactionClient,
  exampleId: string,
  userId: string,
  role: ParticipationRole,
): Promise<void> {
  await tx.participation.upsert({
    where: { exampleId_userId_role: { exampleId, userId, role } },
    create: { exampleId, userId, role },
    update: {},
    select: { id: true },
  });
}

/** The roles in which `userId` took part in the example. */
export async function participationsOf(tx: Prisma.TransactionClient, exampleId: string, userId: string): Promise<Set<ParticipationRole>> {
  const rows = await tx.participation.findMany({ where: { exampleId, userId }, select: { role: true } });
  return new Set(rows.map((row) => row.role as ParticipationRole));
}
