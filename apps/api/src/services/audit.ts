/**
 * The audit log: one append-only row per change that someone may later ask about — who made
 * it, when, from what to what, and why. Written in the same transaction as the change.
 */
import type { Prisma } from "../db/database.ts";

/** The changes the log records. */
export type AuditAction =
  | "user.create"
  | "project.create"
  | "member.add"
  | "member.roles"
  | "member.remove"
  | "guideline.update"
  | "example.stage";

/** One change to record. */
export interface AuditEntry {
  /** Who made the change; null for the command line and first-run setup. */
  actorId: string | null;
  /** What kind of change it was. */
  action: AuditAction;
  /** The project it happened in, if any. */
  projectId?: string;
  /** The example it concerns, if any. */
  exampleId?: string;
  /** The state before (a stage, a list of roles); null when the thing did not exist. */
  from?: string | null;
  /** The state after; null when the thing no longer exists. */
  to?: string | null;
  /** Why, in the actor's words. */
  reason?: string;
  /** Anything else worth keeping, such as the member a change was about. */
  data?: Prisma.InputJsonValue;
}

/** Appends entries to the log, in one statement. */
export async function recordAudit(tx: Prisma.TransactionClient, entries: AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await tx.auditEvent.createMany({
    data: entries.map((entry) => ({
      actorId: entry.actorId,
      action: entry.action,
      projectId: entry.projectId ?? null,
      exampleId: entry.exampleId ?? null,
      from: entry.from ?? null,
      to: entry.to ?? null,
      reason: entry.reason ?? null,
      ...(entry.data === undefined ? {} : { data: entry.data }),
    })),
  });
}
