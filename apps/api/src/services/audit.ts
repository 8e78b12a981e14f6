/**
 * The audit log: one append-only row per change that someone may later ask about — who made
 * it, when, from what to what, and why. Written in the same transaction as the change.
 *
 * Stage changes and imports are also summed per project and day for the dashboard (table
 * QualityDay, `quality-summary.ts`) by database triggers on the log, so that every writer, this
 * module or a bulk import's own SQL, keeps the sums right without calling anything.
 */
import type { Db, Prisma } from "../db/database.ts";
import type { ProjectAccess } from "./access.ts";

/** The changes the log records. */
export type AuditAction =
  | "user.create"
  | "project.create"
  | "member.add"
  | "member.roles"
  | "member.remove"
  | "guideline.update"
  | "project.settings"
  | "project.model"
  | "example.stage"
  | "example.import";

/** Every action the log records, for filters. */
export const AUDIT_ACTIONS = [
  "user.create",
  "project.create",
  "member.add",
  "member.roles",
  "member.remove",
  "guideline.update",
  "project.settings",
  "project.model",
  "example.stage",
  "example.import",
] as const satisfies readonly AuditAction[];

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

const auditEventSelect = {
  id: true,
  action: true,
  exampleId: true,
  from: true,
  to: true,
  reason: true,
  data: true,
  createdAt: true,
  actor: { select: { id: true, name: true } },
} satisfies Prisma.AuditEventSelect;

/** One entry of the log as the audit page shows it. */
export type AuditEventView = Prisma.AuditEventGetPayload<{ select: typeof auditEventSelect }>;

/** Which entries of a project's log to list. */
export interface AuditQuery {
  /** Only entries about this example. */
  exampleId?: string;
  /** Only entries of this kind. */
  action?: AuditAction;
  /** The `nextCursor` of the previous page. */
  cursor?: string;
  /** Page size. */
  limit: number;
}

/** One page of the log, newest first. */
export interface AuditPage {
  /** The entries on this page. */
  items: AuditEventView[];
  /** The id to pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/**
 * One page of a project's log, newest first (then by id), by keyset: the page after `cursor`
 * is read from the indexes on (projectId, createdAt) and (exampleId, createdAt), however long the log.
 */
export async function listAudit(db: Db, access: ProjectAccess, query: AuditQuery): Promise<AuditPage> {
  const rows = await db.auditEvent.findMany({
    where: {
      projectId: access.projectId,
      ...(query.exampleId ? { exampleId: query.exampleId } : {}),
      ...(query.action ? { action: query.action } : {}),
    },
    select: auditEventSelect,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: query.limit + 1,
    ...(query.cursor ? { cursor: { id: query.cursor }, skip: 1 } : {}),
  });
  const items = rows.slice(0, query.limit);
  return { items, nextCursor: rows.length > query.limit ? (items.at(-1)?.id ?? null) : null };
}
