/**
 * Projects: the caller's list, one project's page, and creating projects.
 */
import { ROLES } from "@prealign/core";
import { z } from "zod";
import { projectSettingsChangeSchema } from "../services/project-settings.ts";
import { createProject, getProject, listProjects, updateProjectSettings } from "../services/projects.ts";
import { globalAdminProcedure, projectProcedure, router, userProcedure } from "../trpc.ts";
import { slugInput } from "./inputs.ts";

/** `projects.*` procedures. */
export const projectsRouter = router({
  /** The projects the caller is a member of (all of them for a global admin). */
  list: userProcedure.query(({ ctx }) => listProjects(ctx.db, ctx.user)),

  /** One project by slug, with the caller's roles and the current guidelines. */
  get: projectProcedure(ROLES)
    .input(z.object({ projectSlug: slugInput }))
    .query(({ ctx }) => getProject(ctx.db, ctx.access)),

  /** Creates a project. */
  create: globalAdminProcedure
    .input(z.object({ slug: slugInput, name: z.string().trim().min(1).max(200) }))
    .mutation(({ ctx, input }) => createProject(ctx.db, { ...input, actorId: ctx.user.id })),

  /** Changes some of the project's settings (the others keep theirs); answers the settings in force. */
  updateSettings: projectProcedure(["admin"])
    .input(z.object({ projectSlug: slugInput, settings: projectSettingsChangeSchema }))
    .mutation(({ ctx, input }) => updateProjectSettings(ctx.db, ctx.access, input.settings)),
});
