/**
 * Reviews: the review page (blind until the caller submitted), flags and their threads, verdicts.
 */
import { FLAG_CATEGORIES, FLAG_SEVERITIES, VERDICTS } from "@prealign/core";
import { z } from "zod";
import { addFlag, commentOnFlag, getReview, removeFlag, submitReview } from "../services/reviews.ts";
import { exampleProcedure, router } from "../trpc.ts";
import { idInput } from "./inputs.ts";

const position = z.number({ error: "A position is a whole number of characters." }).int("A position is a whole number of characters.");

/** A comment's text. */
const commentBody = z.string().max(10_000, "Keep a comment under 10,000 characters.");

/** `reviews.*` procedures. */
export const reviewsRouter = router({
  /** The revision under review, the caller's review, and the others' once the caller may see them. */
  get: exampleProcedure(["reviewer", "adjudicator", "admin"])
    .input(z.object({ exampleId: idInput }))
    .query(({ ctx, input }) => getReview(ctx.db, ctx.access, input.exampleId)),

  /** Flags a range (code points of the reviewed revision's text) with a category, severity and first comment. */
  addFlag: exampleProcedure(["reviewer"])
    .input(
      z.object({
        exampleId: idInput,
        start: position,
        end: position,
        category: z.enum(FLAG_CATEGORIES, { error: `A flag category is one of ${FLAG_CATEGORIES.join(", ")}.` }),
        severity: z.enum(FLAG_SEVERITIES, { error: `A severity is one of ${FLAG_SEVERITIES.join(", ")}.` }),
        comment: commentBody.default(""),
      }),
    )
    .mutation(({ ctx, input }) => addFlag(ctx.db, ctx.access, input)),

  /** Removes one of the caller's flags before they submit. */
  removeFlag: exampleProcedure(["reviewer"])
    .input(z.object({ exampleId: idInput, flagId: idInput }))
    .mutation(({ ctx, input }) => removeFlag(ctx.db, ctx.access, input.exampleId, input.flagId)),

  /** Adds a message to a flag's thread. */
  comment: exampleProcedure(["reviewer", "adjudicator"])
    .input(z.object({ exampleId: idInput, flagId: idInput, body: commentBody.trim().min(1, "Write something to comment.") }))
    .mutation(({ ctx, input }) => commentOnFlag(ctx.db, ctx.access, input.exampleId, input.flagId, input.body)),

  /** Submits the caller's verdict; answers the stage (review, or accepted/adjudication when it completes the round). */
  submit: exampleProcedure(["reviewer"])
    .input(z.object({ exampleId: idInput, verdict: z.enum(VERDICTS, { error: `A verdict is one of ${VERDICTS.join(", ")}.` }) }))
    .mutation(({ ctx, input }) => submitReview(ctx.db, ctx.access, input.exampleId, input.verdict)),
});
