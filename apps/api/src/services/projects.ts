/**
 * Projects: creating them, listing the ones a person works in, and reading one.
 */
import type { Role } from "@prealign/core";
import type { Db, Prisma } from "../db/database.ts";
import { isUniqueViolation } from "../db/errors.ts";
import { ConflictError } from "../errors.ts";
import { sortRoles, type ProjectAccess } from "./access.ts";
import { recordAudit } from "./audit.ts";
import { findCurrentGuideline, type GuidelineView } from "./guidelines.ts";
import {
  DEFAULT_PROJECT_SETTINGS,
  readProjectSettings,
  type ProjectSettings,
  type ProjectSettingsChange,
} from "./project-settings.ts";
import type { SessionUser } from "./sessions.ts";

const projectFieldsSelect = {
  id: true,
  slug: true,
  name: true,
  settings: true,
  createdAt: true,
} satisfies Prisma.ProjectSelect;

/** A project with its settings read and the caller's roles in it. */
export interface ProjectView {
  /** The project's id. */
  id: string;
  /** The short name used in addresses and on the command line. */
  slug: string;
  /** The display name. */
  name: string;
  /** Grammar, lint and review-policy settings. */
  settings: ProjectSettings;
  /** When it was created. */
  createdAt: Date;
  /** The caller's roles in it. */
  roles: Role[];
}

/** A project as its page shows it: also the current guidelines. */
export interface ProjectDetail extends ProjectView {
  /** Whether the caller is a global admin (and so may manage the project without its admin role). */
  isGlobalAdmin: boolean;
  /** The newest guidelines, or null when none have been written. */
  guideline: GuidelineView | null;
}

/** A new project. */
export interface NewProject {
  /** Short name: lowercase letters, digits and hyphens. */
  slug: string;
  /** Display name. */
  name: string;
  /** Who creates it; null for the command line and first-run setup. */
  actorId: string | null;
}

type StoredProject = Prisma.ProjectGetPayload<{ select: typeof projectFieldsSelect }>;

function toProjectView(project: StoredProject, roles: Role[]): ProjectView {
  return { ...project, settings: readProjectSettings(project.settings), roles };
}

/** Creates a project with default settings. Throws `ConflictError` when the slug is taken. */
export async function createProject(db: Db, input: NewProject): Promise<ProjectView> {
  try {
    const project = await db.$transaction(async (tx) => {
      const created = await tx.project.create({
        data: { slug: input.slug, name: input.name, settings: DEFAULT_PROJECT_SETTINGS },
        select: projectFieldsSelect,
      });
      await recordAudit(tx, [{ actorId: input.actorId, action: "project.create", projectId: created.id, to: created.slug }]);
      return created;
    });
    return toProjectView(project, []);
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new ConflictError(`A project with the slug "${input.slug}" already exists. Choose another slug.`);
    }
    throw error;
  }
}

/** The projects a person is a member of (every project for a global admin), by name. */
export async function listProjects(db: Db, viewer: SessionUser): Promise<ProjectView[]> {
  const projects = await db.project.findMany({
    where: viewer.isAdmin ? {} : { memberships: { some: { userId: viewer.id } } },
    select: { ...projectFieldsSelect, memberships: { where: { userId: viewer.id }, select: { role: true } } },
    orderBy: { name: "asc" },
  });
  return projects.map(({ memberships, ...project }) =>
    toProjectView(project, sortRoles(memberships.map((membership) => membership.role))),
  );
}

/** One project with the caller's roles and its current guidelines. */
export async function getProject(db: Db, access: ProjectAccess): Promise<ProjectDetail> {
  const [project, guideline] = await Promise.all([
    db.project.findUniqueOrThrow({ where: { id: access.projectId }, select: projectFieldsSelect }),
    findCurrentGuideline(db, access.projectId),
  ]);
  return { ...toProjectView(project, access.roles), isGlobalAdmin: access.isGlobalAdmin, guideline };
}

/** Finds a project's id by slug for the command line; null when there is none. */
export async function findProjectIdBySlug(db: Db, slug: string): Promise<string | null> {
  return (await db.project.findUnique({ where: { slug }, select: { id: true } }))?.id ?? null;
}

/**
 * Changes some of a project's settings (the fields of `change`; the others keep their values)
 * and records the change, before and after, in the audit log. Returns the settings in force.
 */
export async function updateProjectSettings(db: Db, access: ProjectAccess, change: ProjectSettingsChange): Promise<ProjectSettings> {
  return db.$transaction(async (tx) => {
    const project = await tx.project.findUniqueOrThrow({ where: { id: access.projectId }, select: { settings: true } });
    const before = readProjectSettings(project.settings);
    const after: ProjectSettings = { ...before, ...change };
    await tx.project.update({ where: { id: access.projectId }, data: { settings: after }, select: { id: true } });
    await recordAudit(tx, [
      {
        actorId: access.userId,
        action: "project.settings",
        projectId: access.projectId,
        from: JSON.stringify(before),
        to: JSON.stringify(after),
      },
    ]);
    return after;
  });
}
