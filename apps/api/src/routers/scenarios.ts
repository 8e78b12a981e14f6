/**
 * The scenario library: read by every member, edited and imported by project admins; authors
 * start examples from it; the coverage matrix of accepted examples against its targets.
 */
import { ROLES } from "@prealign/core";
import { z } from "zod";
import {
  createScenario,
  findExampleScenario,
  getCoverage,
  importScenarios,
  listScenarios,
  SCENARIO_IMPORT_FORMATS,
  scenarioInputSchema,
  startExampleFromScenario,
  updateScenario,
} from "../services/scenarios.ts";
import { exampleProcedure, projectProcedure, router } from "../trpc.ts";
import { idInput, slugInput } from "./inputs.ts";

/** The largest scenario file imported through the API (characters). */
const MAX_IMPORT_CHARACTERS = 10_000_000;

/** `scenarios.*` procedures. */
export const scenariosRouter = router({
  /** The project's scenarios by key, each with its accepted examples. */
  list: projectProcedure(ROLES)
    .input(z.object({ projectSlug: slugInput }))
    .query(({ ctx }) => listScenarios(ctx.db, ctx.access)),

  /** Adds a scenario. */
  create: projectProcedure(["admin"])
    .input(z.object({ projectSlug: slugInput, scenario: scenarioInputSchema }))
    .mutation(({ ctx, input }) => createScenario(ctx.db, ctx.access, input.scenario)),

  /** Replaces a scenario's fields. */
  update: projectProcedure(["admin"])
    .input(z.object({ projectSlug: slugInput, scenarioId: idInput, scenario: scenarioInputSchema }))
    .mutation(({ ctx, input }) => updateScenario(ctx.db, ctx.access, input.scenarioId, input.scenario)),

  /** Imports scenarios from a JSONL or CSV file's text; answers what was added, replaced and refused (by line). */
  import: projectProcedure(["admin"])
    .input(
      z.object({
        projectSlug: slugInput,
        format: z.enum(SCENARIO_IMPORT_FORMATS, { error: "The format is jsonl or csv." }),
        content: z.string().max(MAX_IMPORT_CHARACTERS, "The file is too large to import here: split it into files under 10 MB."),
      }),
    )
    .mutation(({ ctx, input }) => importScenarios(ctx.db, ctx.access, input.format, input.content)),

  /** Creates a draft written for a scenario (as `examples.create`); returns its id. */
  startExample: projectProcedure(["author"])
    .input(z.object({ projectSlug: slugInput, scenarioId: idInput }))
    .mutation(({ ctx, input }) => startExampleFromScenario(ctx.db, ctx.access, input.scenarioId)),

  /** The scenario an example was written for, or null. */
  ofExample: exampleProcedure(ROLES)
    .input(z.object({ exampleId: idInput }))
    .query(({ ctx, input }) => findExampleScenario(ctx.db, input.exampleId)),

  /** Accepted examples per category × interaction type against the scenarios' targets. */
  coverage: projectProcedure(ROLES)
    .input(z.object({ projectSlug: slugInput }))
    .query(({ ctx }) => getCoverage(ctx.db, ctx.access)),
});
