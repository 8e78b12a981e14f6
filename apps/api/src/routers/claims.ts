/**
 * Queues and claims: "Take next" per role, renewing a lease while working, handing back.
 */
import { z } from "zod";
import { claimNext, QUEUE_ROLES, releaseClaim, renewClaim } from "../services/claims.ts";
import { exampleProcedure, projectProcedure, router } from "../trpc.ts";
import { idInput, slugInput } from "./inputs.ts";

const QUEUE_HOLDERS = ["commentator", "reviewer", "adjudicator", "admin"] as const;

/** `claims.*` procedures. */
export const claimsRouter = router({
  /**
   * Takes the next example of the role's queue: `{ exampleId, expiresAt }`, or
   * `{ exampleId: null, message }` when nothing is free for the caller.
   */
  next: projectProcedure(QUEUE_HOLDERS)
    .input(z.object({ projectSlug: slugInput, role: z.enum(QUEUE_ROLES, { error: `A queue is one of ${QUEUE_ROLES.join(", ")}.` }) }))
    .mutation(({ ctx, input }) => claimNext(ctx.db, ctx.access, input.role)),

  /** Extends the caller's claim on an example; answers the new expiry. */
  renew: exampleProcedure(QUEUE_HOLDERS)
    .input(z.object({ exampleId: idInput }))
    .mutation(({ ctx, input }) => renewClaim(ctx.db, ctx.access, input.exampleId)),

  /** Hands an example back to its queue (admins may release anyone's claim). */
  release: exampleProcedure(QUEUE_HOLDERS)
    .input(z.object({ exampleId: idInput }))
    .mutation(({ ctx, input }) => releaseClaim(ctx.db, ctx.access, input.exampleId)),
});
