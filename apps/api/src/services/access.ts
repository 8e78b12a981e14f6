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
  /** The roles the caller holds in the project, in {@link ROLES} order. */
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

/**
 * Finds the project a request refers to and the caller's roles in it. Throws
 * `NotFoundError` when there is no such project or example.
 */
export async function findProjectAccess(db: Db, reference: ProjectReference, user: SessionUser): Promise<ProjectAccess> {
  const select = projectAccessSelect(user.id);
  const project =
    "projectSlug" in reference
      ? await db.project.findUnique({ where: { slug: reference.projectSlug }, select })
      : (await db.example.findUnique({ where: { id: reference.exampleId }, select: { project: { select } } }))?.project;
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
 * holds one of `allowed`. `action` names what was attempted, for the message.
 */
export function assertAnyRole(access: ProjectAccess, allowed: readonly Role[], action: string): void {
  if (holdsAnyRole(access, allowed)) return;
  const needed = allowed.length === 1 ? `the ${allowed[0]} role` : `one of the roles ${allowed.join(", ")}`;
  const standing =
    access.roles.length === 0
      ? "you are not a member of it. Ask a project admin to add you"
      : `your roles there are ${access.roles.join(", ")}. Ask a project admin for the role`;
  throw new ForbiddenError(`This needs ${needed} in project "${access.projectSlug}" (${action}), but ${standing}.`);
}
