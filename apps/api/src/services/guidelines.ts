/**
 * Guidelines: a project's Markdown rules for writers and reviewers, kept as numbered
 * versions. A change appends a version; old versions stay, so every example can name the
 * version it was written under.
 */
import type { Db, Prisma } from "../db/database.ts";
import { isUniqueViolation } from "../db/errors.ts";
import { ConflictError } from "../errors.ts";
import type { ProjectAccess } from "./access.ts";
import { recordAudit } from "./audit.ts";

/** The fields of a guideline version shown to people. */
export const guidelineSelect = {
  id: true,
  version: true,
  markdown: true,
  createdAt: true,
  author: { select: { id: true, name: true } },
} satisfies Prisma.GuidelineSelect;

/** One version of a project's guidelines. */
export type GuidelineView = Prisma.GuidelineGetPayload<{ select: typeof guidelineSelect }>;

/** A new version of the guidelines. */
export interface GuidelineUpdate {
  /** The full Markdown text of the new version. */
  markdown: string;
  /**
   * The version the writer started from (null when there was none). When given and no longer
   * current, the update is refused so that nobody overwrites a change they have not seen.
   */
  baseVersion?: number | null;
}

/** The newest guidelines of a project, or null when none have been written. */
export function findCurrentGuideline(db: Db | Prisma.TransactionClient, projectId: string): Promise<GuidelineView | null> {
  return db.guideline.findFirst({ where: { projectId }, orderBy: { version: "desc" }, select: guidelineSelect });
}

/**
 * Appends a version of the guidelines. Throws `ConflictError` when `baseVersion` is stale or
 * someone else saved a version at the same moment.
 */
export async function updateGuideline(db: Db, access: ProjectAccess, update: GuidelineUpdate): Promise<GuidelineView> {
  const stale = () =>
    new ConflictError(
      "Someone saved a newer version of the guidelines while you were editing. Copy your text, reload, and apply your change to the new version.",
    );
  try {
    return await db.$transaction(async (tx) => {
      const current = await findCurrentGuideline(tx, access.projectId);
      const currentVersion = current?.version ?? null;
      if (update.baseVersion !== undefined && update.baseVersion !== currentVersion) throw stale();
      const version = (currentVersion ?? 0) + 1;
      const created = await tx.guideline.create({
        data: { projectId: access.projectId, version, markdown: update.markdown, authorId: access.userId },
        select: guidelineSelect,
      });
      await recordAudit(tx, [
        {
          actorId: access.userId,
          action: "guideline.update",
          projectId: access.projectId,
          from: currentVersion === null ? null : String(currentVersion),
          to: String(version),
        },
      ]);
      return created;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw stale();
    throw error;
  }
}
