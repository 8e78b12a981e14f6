/**
 * "My work": for each project a person works in, what waits for each of their roles. Every
 * figure is counted by the database (grouped counts over indexed columns); no example row is
 * read to build it.
 */
import { QUEUE_STAGES, type Role, type Stage } from "@prealign/core";
import type { Db, Prisma } from "../db/database.ts";
import { sortRoles } from "./access.ts";
import { QUEUE_ROLES, queueWhere, type QueueRole } from "./claims.ts";
import type { SessionUser } from "./sessions.ts";

/** One queue's count. */
export interface WaitingCount {
  /** The role whose queue it is. */
  role: QueueRole;
  /** The stage the queue holds. */
  stage: Stage;
  /** How many examples wait there that the person could take (free, and not written or commented by them). */
  count: number;
}

/** What waits for a person in one project. */
export interface ProjectWork {
  /** The project. */
  project: { slug: string; name: string };
  /** The person's roles there. */
  roles: Role[];
  /** One entry per queue role the person holds there. */
  waiting: WaitingCount[];
  /** Their examples still in draft. */
  myDrafts: number;
  /** Examples an adjudication returned to a stage where they wrote or commented them. */
  returnedToMe: number;
}

/** Counts grouped by project as a map. */
function byProject(rows: { projectId: string; _count: { _all: number } }[]): Map<string, number> {
  return new Map(rows.map((row) => [row.projectId, row._count._all]));
}

/**
 * What waits for `user` in each project where they hold a role, in project-name order. The
 * queue counts leave out examples the person may not take (claimed by someone, or written or
 * commented by them); whether they already reviewed one in its current round is not counted
 * out, which "Take next" does check.
 */
export async function listMyWork(db: Db, user: SessionUser): Promise<ProjectWork[]> {
  const memberships = await db.membership.findMany({
    where: { userId: user.id },
    select: { role: true, project: { select: { id: true, slug: true, name: true } } },
  });
  const projects = new Map<string, { slug: string; name: string; roles: string[] }>();
  for (const { role, project } of memberships) {
    const entry = projects.get(project.id) ?? { slug: project.slug, name: project.name, roles: [] };
    entry.roles.push(role);
    projects.set(project.id, entry);
  }
  const now = new Date();
  const projectIds = [...projects.keys()];
  const queueCounts = await Promise.all(
    QUEUE_ROLES.map(async (role) => {
      const holding = projectIds.filter((id) => projects.get(id)!.roles.includes(role));
      if (holding.length === 0) return [role, new Map<string, number>()] as const;
      const { projectId: _, ...where } = queueWhere("", role, user.id, now);
      const rows = await db.example.groupBy({ by: ["projectId"], where: { ...where, projectId: { in: holding } }, _count: { _all: true } });
      return [role, byProject(rows)] as const;
    }),
  );
  const [drafts, returned] = await Promise.all([
    db.example.groupBy({
      by: ["projectId"],
      where: { projectId: { in: projectIds }, stage: "draft", createdById: user.id },
      _count: { _all: true },
    }),
    db.example.groupBy({
      by: ["projectId"],
      where: {
        projectId: { in: projectIds },
        reviewRound: { gt: 0 },
        OR: [
          { stage: "draft", participants: { some: { userId: user.id, role: "author" } } },
          { stage: "commentary", participants: { some: { userId: user.id, role: "commentator" } } },
        ],
      } satisfies Prisma.ExampleWhereInput,
      _count: { _all: true },
    }),
  ]);
  const draftCounts = byProject(drafts);
  const returnedCounts = byProject(returned);
  return projectIds
    .map((id) => {
      const project = projects.get(id)!;
      const roles = sortRoles(project.roles);
      return {
        project: { slug: project.slug, name: project.name },
        roles,
        waiting: queueCounts
          .filter(([role]) => roles.includes(role))
          .map(([role, counts]) => ({ role, stage: QUEUE_STAGES[role] as Stage, count: counts.get(id) ?? 0 })),
        myDrafts: draftCounts.get(id) ?? 0,
        returnedToMe: returnedCounts.get(id) ?? 0,
      };
    })
    .sort((a, b) => a.project.name.localeCompare(b.project.name));
}
