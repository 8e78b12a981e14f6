/**
 * Who may act in a project: finding the project a request is about and the roles the caller
 * holds in it.
 */
import { ROLES, type Role } from "@prealign/core";
import type { Db, Prisma } from "../db/database.ts";
import { ForbiddenError, NotFoundError } from "../errors.ts";
import type { SessionUser } from "./sessions.ts";

/** The caller's standing in one project, as every project-scoped service receives it. */
export interface ProjectAccess {
  /** The project's id. */
  projectId: string;
  /** The project's slug, for messages. */
  projectSlug: string;
  /** The caller's id. */
  userId: string;
  /** Whether the caller is a global admin (who may do everything in every project). */
  isGlobalAdmin: boolean;
  /**
   * The roles the caller holds in the project, in {@link ROLES} order; never empty unless the
   * caller is a global admin, since {@link findProjectAccess} finds no project for anyone else
   * who holds no role in it.
   */
  roles: Role[];
}

/** How a request names its project: directly by slug, or through one of its examples. */
export type ProjectReference = { projectSlug: string } | { exampleId: string };

const projectAccessSelect = (userId: string) =>
  ({
    id: true,
    slug: true,
    memberships: { where: { userId }, select: { role: true } },
  }) satisfies Prisma.ProjectSelect;

/** Orders role names as {@link ROLES} does, dropping any that are not roles. */
export function sortRoles(roles: Iterable<string>): Role[] {
  const held = new Set(roles);
  return ROLES.filter((role) => held.has(role));
}

/** The projects `user` may see: every project for a global admin, else those where they hold a role. */
function visibleTo(user: SessionUser) {
  return user.isAdmin ? {} : ({ memberships: { some: { userId: user.id } } } satisfies Prisma.ProjectWhereInput);
}

/**
 * Finds the project a request refers to and the caller's roles in it. Throws
 * `NotFoundError` when there is no such project or example, and the very same error, same
 * message, when there is one but it belongs to a project where the caller holds no role (and
 * they are not a global admin): what a caller may not see is answered exactly as what does
 * not exist, so that nobody outside a project can find out whether it, or one of its
 * examples, exists.
 */
export async function findProjectAccess(db: Db, reference: ProjectReference, user: SessionUser): Promise<ProjectAccess> {
  const select = projectAccessSelect(user.id);
  const visible = visibleTo(user);
  const project =
    "projectSlug" in reference
      ? await db.project.findUnique({ where: { slug: reference.projectSlug, ...visible }, select })
      : (await db.example.findUnique({ where: { id: reference.exampleId, project: visible }, select: { project: { select } } }))?.project;
  if (!project) {
    throw new NotFoundError(
      "projectSlug" in reference
        ? `There is no project "${reference.projectSlug}". Check the address, or pick a project from the list.`
        : `There is no example "${reference.exampleId}". Check the address, or open the example from its project.`,
    );
  }
  return {
    projectId: project.id,
    projectSlug: project.slug,
    userId: user.id,
    isGlobalAdmin: user.isAdmin,
    roles: sortRoles(project.memberships.map((membership) => membership.role)),
  };
}

/** Whether the caller holds one of `allowed` in the project; global admins always do. */
export function holdsAnyRole(access: ProjectAccess, allowed: readonly Role[]): boolean {
  return access.isGlobalAdmin || access.roles.some((role) => allowed.includes(role));
}

/**
 * Throws `ForbiddenError`, naming the roles needed and the caller's own, unless the caller
 * holds one of `allowed`. `action` names what was attempted, for the message. The caller is a
 * member (see {@link findProjectAccess}), so naming the project tells them nothing new.
 */
export function assertAnyRole(access: ProjectAccess, allowed: readonly Role[], action: string): void {
  if (holdsAnyRole(access, allowed)) return;
  const needed = allowed.length === 1 ? `the ${allowed[0]} role` : `one of the roles ${allowed.join(", ")}`;
  throw new ForbiddenError(
    `This needs ${needed} in project "${access.projectSlug}" (${action}), but your roles there are ${access.roles.join(", ")}. ` +
      `Ask a project admin for the role.`,
  );
}
