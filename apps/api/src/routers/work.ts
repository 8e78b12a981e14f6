/**
 * "My work": what waits for the caller in each of their projects.
 */
import { listMyWork } from "../services/work.ts";
import { router, userProcedure } from "../trpc.ts";

/** `work.*` procedures. */
export const workRouter = router({
  /** Per project: queue counts per role, the caller's drafts, and examples returned to them. */
  mine: userProcedure.query(({ ctx }) => listMyWork(ctx.db, ctx.user)),
});
