/**
 * A project's settings: the options of its grammar, lints and review policy. Stored as JSON;
 * read through {@link readProjectSettings} so that missing or unreadable fields take their
 * defaults and later settings need no data migration.
 */
import { DEFAULT_AUDIT_RATE } from "@prealign/core";
import { z } from "zod";

/** The settings schema, each field with its default. */
export const projectSettingsSchema = z.object({
  /** Whether `<AI_quoting_unaligned_AI>` … `</AI_quoting_unaligned_AI>` is a tag pair (SPEC §2). */
  unalignedQuotes: z.boolean().default(false).catch(false),
  /** Whether quotes of speech outside quotation marks are warned about (`quote_without_marks`). */
  quoteMarksLint: z.boolean().default(true).catch(true),
  /** How many reviewers give a verdict on each example (the review policy's k). */
  reviewersPerExample: z.number().int().min(1).max(10).default(2).catch(2),
  /** Whether an example with no bad-behaviour marks goes straight from draft to review. */
  skipCommentaryWhenNoMarks: z.boolean().default(false).catch(false),
  /** The share (0 to 1) of examples that pass review which go to adjudication anyway, drawn at random (SPEC §4). */
  auditRate: z.number().min(0).max(1).default(DEFAULT_AUDIT_RATE).catch(DEFAULT_AUDIT_RATE),
});

/** A project's settings with every field present. */
export type ProjectSettings = z.infer<typeof projectSettingsSchema>;

/** The settings a new project starts with. */
export const DEFAULT_PROJECT_SETTINGS: ProjectSettings = projectSettingsSchema.parse({});

/**
 * Reads stored settings, as Prisma answers them or as JSON text (how plain SQL reads them from
 * SQLite); fields that are missing or malformed take their defaults.
 */
export function readProjectSettings(stored: unknown): ProjectSettings {
  const value = typeof stored === "string" ? parseJson(stored) : stored;
  return projectSettingsSchema.parse(typeof value === "object" && value !== null ? value : {});
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/**
 * A change to some of a project's settings, as an admin sends it: unlike
 * {@link projectSettingsSchema}, a wrong value is refused (with a message), not replaced by
 * its default, and unknown fields are refused.
 */
export const projectSettingsChangeSchema = z
  .object({
    unalignedQuotes: z.boolean({ error: "unalignedQuotes is true or false." }),
    quoteMarksLint: z.boolean({ error: "quoteMarksLint is true or false." }),
    reviewersPerExample: z
      .number({ error: "reviewersPerExample is a whole number from 1 to 10." })
      .int("reviewersPerExample is a whole number from 1 to 10.")
      .min(1, "At least one reviewer must review each example.")
      .max(10, "At most 10 reviewers can review each example."),
    skipCommentaryWhenNoMarks: z.boolean({ error: "skipCommentaryWhenNoMarks is true or false." }),
    auditRate: z
      .number({ error: "auditRate is a share from 0 to 1 (0.05 audits 5 % of the examples that pass review)." })
      .min(0, "The audit rate cannot be below 0 %.")
      .max(1, "The audit rate cannot be above 100 %."),
  })
  .partial()
  .strict();

/** A change to some of a project's settings. */
export type ProjectSettingsChange = z.infer<typeof projectSettingsChangeSchema>;
