/**
 * The dashboard's figures: activity, agreement and reviewer accuracy over a period of days.
 *
 * Readable by the project's admins and adjudicators (and global admins), the people who lead
 * the work and who see every review anyway. Not by reviewers: figures over a few examples would
 * let a reviewer work out verdicts and flags of reviews they have not yet given themselves,
 * which blind review forbids; nor by authors and commentators, for whom one reviewer's miss
 * rate is not theirs to read.
 */
import { z } from "zod";
import { DEFAULT_PERIOD_DAYS, getAccuracy, getActivity, getAgreement, MAX_PERIOD_DAYS } from "../services/quality.ts";
import { projectProcedure, router } from "../trpc.ts";
import { slugInput } from "./inputs.ts";

/** Who may read the dashboard. */
const readers = ["admin", "adjudicator"] as const;

/** A project and the number of days, up to today, the figures cover. */
const periodInput = z.object({
  projectSlug: slugInput,
  days: z
    .number({ error: `The period is a whole number of days from 1 to ${MAX_PERIOD_DAYS}.` })
    .int(`The period is a whole number of days from 1 to ${MAX_PERIOD_DAYS}.`)
    .min(1, `The period is a whole number of days from 1 to ${MAX_PERIOD_DAYS}.`)
    .max(MAX_PERIOD_DAYS, `The period is a whole number of days from 1 to ${MAX_PERIOD_DAYS}.`)
    .default(DEFAULT_PERIOD_DAYS),
});

/** `quality.*` procedures. */
export const qualityRouter = router({
  /** Examples per stage now and at the end of each day, throughput per day and per person. */
  activity: projectProcedure(readers)
    .input(periodInput)
    .query(({ ctx, input }) => getActivity(ctx.db, ctx.access, { days: input.days })),

  /** Krippendorff's alpha on verdicts over the period and per week; Cohen's kappa per pair of reviewers. */
  agreement: projectProcedure(readers)
    .input(periodInput)
    .query(({ ctx, input }) => getAgreement(ctx.db, ctx.access, { days: input.days })),

  /** Miss rates per reviewer and per category; the surviving-defect estimates for k = 1…5. */
  accuracy: projectProcedure(readers)
    .input(periodInput)
    .query(({ ctx, input }) => getAccuracy(ctx.db, ctx.access, { days: input.days })),
});
