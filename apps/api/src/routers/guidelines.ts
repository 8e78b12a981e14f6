/**
 * A project's guidelines: read by every member, versioned by project admins.
 */
import { ROLES } from "@prealign/core";
import { z } from "zod";
import { findCurrentGuideline, updateGuideline } from "../services/guidelines.ts";
import { projectProcedure, router } from "../trpc.ts";
import { slugInput } from "./inputs.ts";

/** The longest guidelines accepted (Markdown characters). */
const MAX_GUIDELINE_LENGTH = 200_000;

/** `guidelines.*` procedures. */
export const guidelinesRouter = router({
  /** The newest version, or null when none has been written. */
  current: projectProcedure(ROLES)
    .input(z.object({ projectSlug: slugInput }))
    .query(({ ctx }) => findCurrentGuideline(ctx.db, ctx.access.projectId)),

  /** Saves a new version; refused as a conflict when `baseVersion` is no longer current. */
  update: projectProcedure(["admin"])
    .input(
      z.object({
        projectSlug: slugInput,
        markdown: z.string().max(MAX_GUIDELINE_LENGTH),
        baseVersion: z.number().int().positive().nullable().optional(),
      }),
    )
    .mutation(({ ctx, input }) =>
      updateGuideline(ctx.db, ctx.access, {
        markdown: input.markdown,
        ...(input.baseVersion === undefined ? {} : { baseVersion: input.baseVersion }),
      }),
    ),
});
