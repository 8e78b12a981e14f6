/**
 * Examples: creating drafts, reading them, saving revisions.
 */
import { ROLES, STAGES } from "@prealign/core";
import { z } from "zod";
import {
  createExample,
  getExample,
  getRevision,
  listExamples,
  listRevisions,
  saveExample,
} from "../services/examples.ts";
import { flagsToAddress } from "../services/reviews.ts";
import { exampleProcedure, projectProcedure, router } from "../trpc.ts";
import { idInput, slugInput } from "./inputs.ts";

/** `examples.*` procedures. */
export const examplesRouter = router({
  /** Creates a draft with an empty first revision; returns its id. */
  create: projectProcedure(["author"])
    .input(z.object({ projectSlug: slugInput }))
    .mutation(({ ctx }) => createExample(ctx.db, ctx.access)),

  /** One example with its newest revision and the caller's roles. */
  get: exampleProcedure(ROLES)
    .input(z.object({ exampleId: idInput }))
    .query(({ ctx, input }) => getExample(ctx.db, ctx.access, input.exampleId)),

  /** A page of the project's examples, most recently changed first (in adjudication: in the order "Take next" takes them). */
  list: projectProcedure(ROLES)
    .input(
      z.object({
        projectSlug: slugInput,
        stage: z.enum(STAGES).optional(),
        cursor: idInput.optional(),
        limit: z.number().int().min(1).max(200).default(50),
      }),
    )
    .query(({ ctx, input }) => {
      const { stage, cursor, limit } = input;
      return listExamples(ctx.db, ctx.access, { limit, ...(stage ? { stage } : {}), ...(cursor ? { cursor } : {}) });
    }),

  /**
   * Saves the editor document (ProseMirror JSON, preferably as JSON text, which the server
   * parses off the event loop) as a new revision based on `baseRevisionId`. A stale base is
   * refused with CONFLICT; the error's `data.details.headRevision` is the newest revision.
   */
  save: exampleProcedure(["author", "commentator", "admin"])
    .input(z.object({ exampleId: idInput, baseRevisionId: idInput, doc: z.unknown() }))
    .mutation(({ ctx, input }) => saveExample(ctx.db, ctx.documents, ctx.access, input, ctx.user)),

  /** Every revision of the example (no text), newest first, with author and time. */
  revisions: exampleProcedure(ROLES)
    .input(z.object({ exampleId: idInput }))
    .query(({ ctx, input }) => listRevisions(ctx.db, input.exampleId)),

  /** One revision with its text and document. */
  revision: exampleProcedure(ROLES)
    .input(z.object({ exampleId: idInput, revisionId: idInput }))
    .query(({ ctx, input }) => getRevision(ctx.db, input.exampleId, input.revisionId)),

  /**
   * The flags upheld by the adjudication that returned the example, each with the revision
   * it was made on; empty unless the example is back in draft or commentary after review.
   */
  flagsToAddress: exampleProcedure(ROLES)
    .input(z.object({ exampleId: idInput }))
    .query(({ ctx, input }) => flagsToAddress(ctx.db, input.exampleId)),
});
