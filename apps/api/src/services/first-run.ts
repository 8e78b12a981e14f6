/**
 * First-run setup: on a database with no accounts, create a global admin and a demo project
 * with guidelines, the admin holding every role in it, so that a fresh install can be used
 * at once.
 */
import { readFile } from "node:fs/promises";
import { ROLES } from "@prealign/core";
import type { Db } from "../db/database.ts";
import { findCurrentGuideline, updateGuideline } from "./guidelines.ts";
import { createProject, findProjectIdBySlug } from "./projects.ts";
import { createUser, hasAnyUser } from "./users.ts";

/** The admin account's email when `STUDIO_ADMIN_EMAIL` is not set. */
export const DEFAULT_ADMIN_EMAIL = "admin@localhost";

/** The demo project's slug. */
export const DEMO_PROJECT_SLUG = "demo";

/** The admin to create; a password is generated when none is given. */
export interface FirstRunOptions {
  /** The admin's email (default {@link DEFAULT_ADMIN_EMAIL}). */
  adminEmail?: string;
  /** The admin's password; generated when absent. */
  adminPassword?: string;
}

/** What first-run setup created. */
export interface FirstRunResult {
  /** The admin's email. */
  adminEmail: string;
  /** The generated password to print once; absent when one was given. */
  generatedPassword?: string;
  /** The demo project's slug. */
  projectSlug: string;
}

/**
 * Creates the admin and demo project when the database has no accounts; returns null
 * otherwise. A demo project left by an interrupted earlier run is reused.
 */
export async function setUpFirstRun(db: Db, options: FirstRunOptions = {}): Promise<FirstRunResult | null> {
  if (await hasAnyUser(db)) return null;
  const projectId =
    (await findProjectIdBySlug(db, DEMO_PROJECT_SLUG)) ??
    (await createProject(db, { slug: DEMO_PROJECT_SLUG, name: "Demo project", actorId: null })).id;
  const { user, generatedPassword } = await createUser(db, {
    email: options.adminEmail ?? DEFAULT_ADMIN_EMAIL,
    name: "Admin",
    ...(options.adminPassword === undefined ? {} : { password: options.adminPassword }),
    isAdmin: true,
    memberships: ROLES.map((role) => ({ projectId, role })),
    actorId: null,
  });
  if ((await findCurrentGuideline(db, projectId)) === null) {
    const markdown = await readFile(new URL("./demo-guidelines.md", import.meta.url), "utf8");
    const access = { projectId, projectSlug: DEMO_PROJECT_SLUG, userId: user.id, isGlobalAdmin: true, roles: [...ROLES] };
    await updateGuideline(db, access, { markdown });
  }
  return {
    adminEmail: user.email,
    ...(generatedPassword === undefined ? {} : { generatedPassword }),
    projectSlug: DEMO_PROJECT_SLUG,
  };
}
