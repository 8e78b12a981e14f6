/**
 * Moving examples between stages (the core's `STAGE_MACHINE`), and the actions the example page offers.
 */
import { ROLES, STAGES } from "@prealign/core";
import { z } from "zod";
import { actOnExample, availableActions, REQUESTABLE_ACTIONS } from "../services/workflow.ts";
import { exampleProcedure, router } from "../trpc.ts";
import { idInput } from "./inputs.ts";

/** `workflow.*` procedures. */
export const workflowRouter = router({
  /** Each action the caller's roles could take from the example's stage, allowed or not, with why not. */
  actions: exampleProcedure(ROLES)
    .input(z.object({ exampleId: idInput }))
    .query(({ ctx, input }) => availableActions(ctx.db, ctx.access, input.exampleId)),

  /**
   * Takes an action (submit, accept, return, reject, send_back) and answers the new stage.
   * `to` picks the target where there are several; `reason` is required by return, reject
   * and send_back.
   */
  act: exampleProcedure(ROLES)
    .input(
      z.object({
        exampleId: idInput,
        action: z.enum(REQUESTABLE_ACTIONS, { error: `An action is one of ${REQUESTABLE_ACTIONS.join(", ")}.` }),
        to: z.enum(STAGES, { error: `A stage is one of ${STAGES.join(", ")}.` }).optional(),
        reason: z.string().max(5000, "Keep the reason under 5,000 characters.").optional(),
      }),
    )
    .mutation(({ ctx, input }) => {
      const { exampleId, action, to, reason } = input;
      return actOnExample(ctx.db, ctx.access, exampleId, { action, ...(to ? { to } : {}), ...(reason !== undefined ? { reason } : {}) });
    }),
});
