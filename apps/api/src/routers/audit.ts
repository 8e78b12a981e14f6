/**
 * The audit log, for project admins.
 */
import { z } from "zod";
import { AUDIT_ACTIONS, listAudit } from "../services/audit.ts";
import { projectProcedure, router } from "../trpc.ts";
import { idInput, slugInput } from "./inputs.ts";

/** `audit.*` procedures. */
export const auditRouter = router({
  /** A page of the project's log, newest first, optionally about one example or of one kind. */
  list: projectProcedure(["admin"])
    .input(
      z.object({
        projectSlug: slugInput,
        exampleId: idInput.optional(),
        action: z.enum(AUDIT_ACTIONS, { error: `An audit action is one of ${AUDIT_ACTIONS.join(", ")}.` }).optional(),
        cursor: idInput.optional(),
        limit: z.number().int().min(1).max(200).default(50),
      }),
    )
    .query(({ ctx, input }) => {
      const { exampleId, action, cursor, limit } = input;
      return listAudit(ctx.db, ctx.access, { limit, ...(exampleId ? { exampleId } : {}), ...(action ? { action } : {}), ...(cursor ? { cursor } : {}) });
    }),
});
