/**
 * Signing in and out, and who is signed in.
 */
import { z } from "zod";
import { logIn, logOut } from "../services/auth.ts";
import { MAX_PASSWORD_LENGTH } from "../services/passwords.ts";
import { publicProcedure, router, userProcedure } from "../trpc.ts";

/** `auth.*` procedures. */
export const authRouter = router({
  /**
   * Signs in with email and password and sets the session cookie. The caller's previous
   * session, if any, ends only once the new one has started: a failed sign-in changes nothing.
   */
  login: publicProcedure
    .input(z.object({ email: z.string().trim().min(1).max(320), password: z.string().min(1).max(MAX_PASSWORD_LENGTH) }))
    .mutation(async ({ ctx, input }) => {
      const { session, user } = await logIn(ctx.db, ctx.loginLimiter, { ...input, clientAddress: ctx.clientAddress });
      if (ctx.session) await logOut(ctx.db, ctx.session.id);
      ctx.sessionCookie.issue(session);
      return { user };
    }),

  /** Ends the caller's session and clears the cookie. */
  logout: userProcedure.mutation(async ({ ctx }) => {
    await logOut(ctx.db, ctx.session.id);
    ctx.sessionCookie.clear();
    return { ok: true as const };
  }),

  /** The signed-in user, or null when anonymous. */
  me: publicProcedure.query(({ ctx }) => ctx.session?.user ?? null),
});
