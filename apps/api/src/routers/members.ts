/**
 * A project's members and their roles. Anyone in the project may see the list; project
 * admins (and global admins) change it.
 */
import { ROLES } from "@prealign/core";
import { z } from "zod";
import { addMember, listMembers, removeMember, setMemberRoles } from "../services/members.ts";
import { projectProcedure, router } from "../trpc.ts";
import { emailInput, idInput, roleInput, slugInput } from "./inputs.ts";

/** `members.*` procedures. */
export const membersRouter = router({
  /** Every member with their roles. */
  list: projectProcedure(ROLES)
    .input(z.object({ projectSlug: slugInput }))
    .query(({ ctx }) => listMembers(ctx.db, ctx.access.projectId)),

  /** Gives an existing account (by email) a role in the project. */
  add: projectProcedure(["admin"])
    .input(z.object({ projectSlug: slugInput, email: emailInput, role: roleInput }))
    .mutation(({ ctx, input }) => addMember(ctx.db, ctx.access, input)),

  /**
   * Sets a member's roles to exactly the given list (empty removes them). Only for members:
   * about anyone else it answers NOT_FOUND as about an unknown id; add people with `add`.
   */
  setRoles: projectProcedure(["admin"])
    .input(z.object({ projectSlug: slugInput, userId: idInput, roles: z.array(roleInput).max(ROLES.length) }))
    .mutation(({ ctx, input }) => setMemberRoles(ctx.db, ctx.access, input)),

  /** Removes a member from the project. */
  remove: projectProcedure(["admin"])
    .input(z.object({ projectSlug: slugInput, userId: idInput }))
    .mutation(async ({ ctx, input }) => {
      await removeMember(ctx.db, ctx.access, input);
      return { ok: true as const };
    }),
});
