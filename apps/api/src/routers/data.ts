/**
 * Imports, exports and the jobs that run them, for project admins. Uploading a file and
 * downloading a snapshot's files go through plain HTTP routes (`data-routes.ts`), since they
 * stream files; everything else is here.
 */
import { z } from "zod";
import { getJob, requestCancel } from "../services/jobs.ts";
import { getSnapshot, listDataJobs, listSnapshots, startExport } from "../services/data-jobs.ts";
import { projectProcedure, router } from "../trpc.ts";
import { idInput, slugInput } from "./inputs.ts";

const project = z.object({ projectSlug: slugInput });
const oneOf = z.object({ projectSlug: slugInput, id: idInput });

/** `imports.*`: the project's imports (each a job), newest first. */
export const importsRouter = router({
  list: projectProcedure(["admin"])
    .input(project)
    .query(({ ctx }) => listDataJobs(ctx.db, ctx.access, "import")),
});

/** `exports.*`: start an export, and the project's export jobs and snapshots. */
export const exportsRouter = router({
  start: projectProcedure(["admin"])
    .input(
      project.extend({
        format: z.enum(["jsonl", "parquet", "both"], { error: "A format is jsonl, parquet or both." }).default("both"),
        tokenizer: z
          .enum(["o200k_base", "cl100k_base", "none"], { error: "A tokenizer is o200k_base, cl100k_base or none." })
          .default("o200k_base"),
        filters: z
          .object({
            scenario: z.string().max(200).optional(),
            category: z.string().max(100).optional(),
            createdFrom: z.string().max(10).optional(),
            createdTo: z.string().max(10).optional(),
          })
          .default({}),
      }),
    )
    .mutation(({ ctx, input }) => startExport(ctx.db, ctx.access, ctx.dataDir, { format: input.format, tokenizer: input.tokenizer, filters: input.filters })),
  list: projectProcedure(["admin"])
    .input(project)
    .query(async ({ ctx }) => ({
      jobs: await listDataJobs(ctx.db, ctx.access, "export"),
      snapshots: await listSnapshots(ctx.db, ctx.access),
    })),
  snapshot: projectProcedure(["admin"])
    .input(oneOf)
    .query(({ ctx, input }) => getSnapshot(ctx.db, ctx.access, input.id)),
});

/** `jobs.*`: one import or export job, to watch it or ask it to stop. */
export const jobsRouter = router({
  get: projectProcedure(["admin"])
    .input(oneOf)
    .query(({ ctx, input }) => getJob(ctx.db, ctx.access.projectId, input.id)),
  cancel: projectProcedure(["admin"])
    .input(oneOf)
    .mutation(({ ctx, input }) => requestCancel(ctx.db, ctx.access.projectId, input.id)),
});
