/**
 * Model assistance (issue 9): the project's model endpoint (admins), drafted commentary
 * (whoever may edit the example), grading runs (admins) and graders' suggestions (reviewers).
 * No procedure answers the endpoint's API key: connections are answered as `ConnectionView`.
 */
import { z } from "zod";
import { ROLES } from "@prealign/core";
import { listSuggestions, listGradingJobs, startGrading } from "../services/graders.ts";
import { pingModel, withRequestSlot } from "../services/llm/client.ts";
import {
  connectionChangeSchema,
  getConnection,
  NOT_CONFIGURED_MESSAGE,
  removeConnection,
  resolveConnection,
  updateConnection,
} from "../services/llm/connection.ts";
import { acceptDraft, prepareDraft, streamDraft } from "../services/llm/drafts.ts";
import { exampleProcedure, projectProcedure, router } from "../trpc.ts";
import { idInput, slugInput } from "./inputs.ts";

const project = z.object({ projectSlug: slugInput });

/** Who may ask for drafted commentary: those who may edit an example (the service checks the stage). */
const drafters = ["author", "commentator", "admin"] as const;

/** `assist.*` procedures. */
export const assistRouter = router({
  /** Whether the project has a model endpoint, and which model, for every member (features say when there is none). */
  status: projectProcedure(ROLES)
    .input(project)
    .query(async ({ ctx }) => {
      const connection = await getConnection(ctx.db, ctx.access);
      return {
        configured: connection.source !== "none",
        model: connection.model,
        graders: connection.graders.map((grader) => grader.name),
        message: connection.source === "none" ? NOT_CONFIGURED_MESSAGE : null,
      };
    }),

  /** The project's connection, as admins see it (whether a key is set, never the key). */
  connection: projectProcedure(["admin"])
    .input(project)
    .query(({ ctx }) => getConnection(ctx.db, ctx.access)),

  /** Sets the project's own endpoint, model, key (null removes it, absent keeps it) and graders. */
  updateConnection: projectProcedure(["admin"])
    .input(project.extend({ connection: connectionChangeSchema }))
    .mutation(({ ctx, input }) => updateConnection(ctx.db, ctx.access, input.connection)),

  /** Removes the project's own connection (the server's default, if any, applies again). */
  removeConnection: projectProcedure(["admin"])
    .input(project)
    .mutation(({ ctx }) => removeConnection(ctx.db, ctx.access)),

  /** Asks the model for one word, to show whether the endpoint, model and key work. */
  testConnection: projectProcedure(["admin"])
    .input(project)
    .mutation(async ({ ctx, signal }) => {
      const connection = await resolveConnection(ctx.db, ctx.access.projectId);
      if (!connection) return { ok: false, message: NOT_CONFIGURED_MESSAGE };
      try {
        const answer = await withRequestSlot(ctx.access.projectId, () => pingModel(connection, signal));
        return { ok: true, message: `${connection.model} at ${connection.baseUrl} answered: ${JSON.stringify(answer.slice(0, 80))}.` };
      } catch (error) {
        return { ok: false, message: error instanceof Error ? error.message : String(error) };
      }
    }),

  /**
   * Drafts AI commentary for an uncommented mark of the saved text: streams `{kind:"text"}`
   * pieces as the model writes, then `{kind:"draft"}` (checked, kept, offered) or
   * `{kind:"refused", message}`. Closing the stream cancels the request to the model.
   */
  draft: exampleProcedure(drafters)
    .input(z.object({ exampleId: idInput, markId: z.string().min(1).max(64) }))
    .subscription(async ({ ctx, input, signal }) => {
      const request = await prepareDraft(ctx.db, ctx.access, input.exampleId, input.markId);
      return streamDraft(ctx.db, request, signal);
    }),

  /** Accepts one of the caller's drafts: their next save of the example is model-drafted with the model's name. */
  acceptDraft: exampleProcedure(drafters)
    .input(z.object({ exampleId: idInput, draftId: idInput }))
    .mutation(({ ctx, input }) => acceptDraft(ctx.db, ctx.access, input.exampleId, input.draftId)),

  /** Runs graders (all when none are named) over the examples in review, or over one import's examples, as a job. */
  grade: projectProcedure(["admin"])
    .input(project.extend({ graders: z.array(z.string().max(80)).max(10).default([]), importJobId: idInput.optional() }))
    .mutation(({ ctx, input }) => startGrading(ctx.db, ctx.access, { graders: input.graders, importJobId: input.importJobId })),

  /** The project's grading runs, newest first. */
  gradingJobs: projectProcedure(["admin"])
    .input(project)
    .query(({ ctx }) => listGradingJobs(ctx.db, ctx.access.projectId)),

  /** Graders' reports on the revision under review: suggestions for reviewers, never a review. */
  suggestions: exampleProcedure(["reviewer", "adjudicator", "admin"])
    .input(z.object({ exampleId: idInput }))
    .query(({ ctx, input }) => listSuggestions(ctx.db, input.exampleId)),
});
