/**
 * Who may act in a project: finding the project a request is about and the roles the caller
 * holds in it.
 */
import { ROLES, type Role } from "@prealign/core";
import type { Db } from "../db/database.ts";
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

/** The project of a request and one role the caller holds there (null: none); see {@link findProjectAccess}. */
interface AccessRow {
  id: string;
  slug: string;
  role: string | null;
}

/** Orders role names as {@link ROLES} does, dropping any that are not roles. */
export function sortRoles(roles: Iterable<string>): Role[] {
  const held = new Set(roles);
  return ROLES.filter((role) => held.has(role));
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
  // Every project request starts here, so this is one plain statement (see resumeSession for
  // why): the project, with one row per role the caller holds in it, or one with a null role.
  const rows =
    "projectSlug" in reference
      ? await db.$queryRaw<AccessRow[]>`
          SELECT p.id, p.slug, m.role FROM "Project" p
          LEFT JOIN "Membership" m ON m."projectId" = p.id AND m."userId" = ${user.id}
          WHERE p.slug = ${reference.projectSlug}`
      : await db.$queryRaw<AccessRow[]>`
          SELECT p.id, p.slug, m.role FROM "Example" e JOIN "Project" p ON p.id = e."projectId"
          LEFT JOIN "Membership" m ON m."projectId" = p.id AND m."userId" = ${user.id}
          WHERE e.id = ${reference.exampleId}`;
  const roles = sortRoles(rows.flatMap((row) => (row.role === null ? [] : [row.role])));
  const project = rows[0];
  // A project where the caller holds no role is not there for them (global admins see all).
  if (!project || (roles.length === 0 && !user.isAdmin)) {
    throw new NotFoundError(
      "projectSlug" in reference
        ? `There is no project "${reference.projectSlug}". Check the address, or pick a project from the list.`
        : noSuchExample(reference.exampleId).message,
    );
  }
  return { projectId: project.id, projectSlug: project.slug, userId: user.id, isGlobalAdmin: user.isAdmin, roles };
}

/** The error for an example that is not there, or not there for the caller. */
export function noSuchExample(exampleId: string): NotFoundError {
  return new NotFoundError(`There is no example "${exampleId}". Check the address, or open the example from its project.`);
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
