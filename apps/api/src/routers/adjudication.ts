/**
 * Adjudication: deciding on each flag of the round. (Accepting, returning and rejecting are
 * `workflow.act`.)
 */
import { z } from "zod";
import { decideFlag } from "../services/reviews.ts";
import { exampleProcedure, router } from "../trpc.ts";
import { idInput } from "./inputs.ts";

/** `adjudication.*` procedures. */
export const adjudicationRouter = router({
  /** Upholds or dismisses a flag; answers the flag. */
  decideFlag: exampleProcedure(["adjudicator"])
    .input(
      z.object({
        exampleId: idInput,
        flagId: idInput,
        decision: z.enum(["upheld", "dismissed"], { error: "A decision is upheld or dismissed." }),
      }),
    )
    .mutation(({ ctx, input }) => decideFlag(ctx.db, ctx.access, input.exampleId, input.flagId, input.decision)),
});
