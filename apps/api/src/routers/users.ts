/**
 * Accounts, managed by global admins.
 */
import { z } from "zod";
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from "../services/passwords.ts";
import { createUser, listUsers } from "../services/users.ts";
import { globalAdminProcedure, router } from "../trpc.ts";
import { emailInput } from "./inputs.ts";

/** `users.*` procedures. */
export const usersRouter = router({
  /** Every account. */
  list: globalAdminProcedure.query(({ ctx }) => listUsers(ctx.db)),

  /**
   * Creates an account. Without a password one is generated and returned once as
   * `generatedPassword`, for the admin to pass on.
   */
  create: globalAdminProcedure
    .input(
      z.object({
        email: emailInput,
        name: z.string().trim().max(200).optional(),
        password: z.string().min(MIN_PASSWORD_LENGTH).max(MAX_PASSWORD_LENGTH).optional(),
        isAdmin: z.boolean().optional(),
      }),
    )
    .mutation(({ ctx, input }) => createUser(ctx.db, { ...input, actorId: ctx.user.id })),
});
