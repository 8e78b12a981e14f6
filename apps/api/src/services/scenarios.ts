/**
 * A project's scenario library (SPEC §4): prompts for authors, each tagged with bad-behaviour
 * categories and interaction types and a target count of accepted examples. Project admins
 * add, edit and import scenarios (JSONL or CSV, with a report of the rows refused); every
 * member reads them, and authors start examples from them. Imports of examples link to
 * scenarios by key (services/import), adding keys the library does not have yet.
 *
 * The coverage matrix counts accepted examples per scenario with one grouped query and spreads
 * each scenario's count over its categories × interaction types: the work in a request grows
 * with the size of the library, never with the number of examples.
 */
import { BAD_BEHAVIOUR_CATEGORIES, INTERACTION_TYPES, type BadBehaviourCategory, type InteractionType } from "@prealign/core";
import { parse as parseCsv } from "csv-parse/sync";
import { z } from "zod";
import type { Db, Prisma } from "../db/database.ts";
import { isUniqueViolation } from "../db/errors.ts";
import { ConflictError, InvalidInputError, NotFoundError } from "../errors.ts";
import type { ProjectAccess } from "./access.ts";
import { createExample } from "./examples.ts";

/** The longest prompt kept (characters). */
export const MAX_PROMPT_LENGTH = 20_000;

/** The most rows one import may hold; a larger library is imported in parts. */
export const MAX_IMPORT_ROWS = 10_000;

const scenarioSelect = {
  id: true,
  key: true,
  prompt: true,
  categories: true,
  interactionTypes: true,
  target: true,
  createdAt: true,
} satisfies Prisma.ScenarioSelect;

type StoredScenario = Prisma.ScenarioGetPayload<{ select: typeof scenarioSelect }>;

/** A scenario as people see it. */
export interface ScenarioView {
  id: string;
  /** Unique in the project; imports of examples name scenarios by it. */
  key: string;
  /** What the author is asked to write. */
  prompt: string;
  categories: BadBehaviourCategory[];
  interactionTypes: InteractionType[];
  /** How many accepted examples the project wants from it; null when it sets none. */
  target: number | null;
  createdAt: Date;
}

/** A scenario in the library's list, with how many of its examples are accepted. */
export interface ScenarioListItem extends ScenarioView {
  accepted: number;
}

/** The messages of the fields of a scenario, shared by the forms' input and the import's rows. */
const scenarioFields = {
  key: z
    .string({ error: "key is required: a short name for the scenario, unique in the project." })
    .trim()
    .min(1, "key is required: a short name for the scenario, unique in the project.")
    .max(200, "key is at most 200 characters."),
  prompt: z.string({ error: "prompt is text." }).max(MAX_PROMPT_LENGTH, `prompt is at most ${MAX_PROMPT_LENGTH} characters.`).default(""),
  categories: z
    .array(z.enum(BAD_BEHAVIOUR_CATEGORIES, { error: `A category is one of ${BAD_BEHAVIOUR_CATEGORIES.join(", ")}.` }), {
      error: "categories is a list of bad-behaviour categories.",
    })
    .default([]),
  interactionTypes: z
    .array(z.enum(INTERACTION_TYPES, { error: `An interaction type is one of ${INTERACTION_TYPES.join(", ")}.` }), {
      error: "interactionTypes is a list of interaction types.",
    })
    .default([]),
  target: z
    .number({ error: "target is a whole number of accepted examples, or empty for none." })
    .int("target is a whole number of accepted examples, or empty for none.")
    .min(0, "target cannot be negative.")
    .max(1_000_000_000, "target is at most 1,000,000,000.")
    .nullable()
    .default(null),
};

/** A new scenario or the new state of one, as a form or an import row gives it. */
export const scenarioInputSchema = z.object(scenarioFields).strict();

/** A scenario's fields. */
export type ScenarioInput = z.infer<typeof scenarioInputSchema>;

/** Reads a stored JSON list of tags, keeping the known ones (an import may have stored none). */
function readTags<T extends string>(stored: unknown, known: readonly T[]): T[] {
  if (!Array.isArray(stored)) return [];
  return stored.filter((value): value is T => known.includes(value as T));
}

function toView(stored: StoredScenario): ScenarioView {
  return {
    ...stored,
    categories: readTags(stored.categories, BAD_BEHAVIOUR_CATEGORIES),
    interactionTypes: readTags(stored.interactionTypes, INTERACTION_TYPES),
  };
}

/** The stored form of a scenario's fields (tags in the order of their lists, each once). */
function toData(input: ScenarioInput) {
  return {
    key: input.key,
    prompt: input.prompt,
    categories: BAD_BEHAVIOUR_CATEGORIES.filter((category) => input.categories.includes(category)),
    interactionTypes: INTERACTION_TYPES.filter((type) => input.interactionTypes.includes(type)),
    target: input.target,
  };
}

function keyTaken(key: string): ConflictError {
  return new ConflictError(`The project already has a scenario with the key "${key}". Choose another key, or edit that scenario.`);
}

/** Accepted examples per scenario of the project: one grouped query. */
async function acceptedPerScenario(db: Db, projectId: string): Promise<Map<string, number>> {
  const groups = await db.example.groupBy({
    by: ["scenarioId"],
    where: { projectId, stage: "accepted", scenarioId: { not: null } },
    _count: { _all: true },
  });
  return new Map(groups.flatMap((group) => (group.scenarioId === null ? [] : [[group.scenarioId, group._count._all] as const])));
}

/** The project's scenarios by key, each with its accepted examples. */
export async function listScenarios(db: Db, access: ProjectAccess): Promise<ScenarioListItem[]> {
  const [scenarios, accepted] = await Promise.all([
    db.scenario.findMany({ where: { projectId: access.projectId }, select: scenarioSelect, orderBy: [{ key: "asc" }, { id: "asc" }] }),
    acceptedPerScenario(db, access.projectId),
  ]);
  return scenarios.map((scenario) => ({ ...toView(scenario), accepted: accepted.get(scenario.id) ?? 0 }));
}

/** Adds a scenario; a key the project has already is refused as a conflict. */
export async function createScenario(db: Db, access: ProjectAccess, input: ScenarioInput): Promise<ScenarioView> {
  try {
    const created = await db.scenario.create({ data: { projectId: access.projectId, ...toData(input) }, select: scenarioSelect });
    return toView(created);
  } catch (error) {
    if (isUniqueViolation(error)) throw keyTaken(input.key);
    throw error;
  }
}

/** Replaces a scenario's fields (its key too, unless another scenario has it). */
export async function updateScenario(db: Db, access: ProjectAccess, scenarioId: string, input: ScenarioInput): Promise<ScenarioView> {
  try {
    const updated = await db.scenario.updateMany({ where: { id: scenarioId, projectId: access.projectId }, data: toData(input) });
    if (updated.count !== 1) throw new NotFoundError(`Project "${access.projectSlug}" has no scenario "${scenarioId}". Reload the scenarios.`);
  } catch (error) {
    if (isUniqueViolation(error)) throw keyTaken(input.key);
    throw error;
  }
  return toView(await db.scenario.findUniqueOrThrow({ where: { id: scenarioId }, select: scenarioSelect }));
}

/** The formats a scenario import reads. */
export const SCENARIO_IMPORT_FORMATS = ["jsonl", "csv"] as const;

/** One format of scenario import. */
export type ScenarioImportFormat = (typeof SCENARIO_IMPORT_FORMATS)[number];

/** What an import did: scenarios added, scenarios whose key existed and were replaced, and each row refused with why. */
export interface ScenarioImportReport {
  created: number;
  updated: number;
  rejected: { line: number; reason: string }[];
}

/** A row read from the file: its line number, and its fields or why it could not be read. */
type ReadRow = { line: number; fields: Record<string, unknown> } | { line: number; reason: string };

/** A CSV cell holding several tags: separated by ";" or "|" (commas would need quoting). */
function splitTags(cell: unknown): unknown {
  if (typeof cell !== "string") return cell;
  return cell
    .split(/[;|]/)
    .map((tag) => tag.trim())
    .filter((tag) => tag !== "");
}

/**
 * The rows of a CSV file with a header naming the columns `key`, `prompt`, `categories`,
 * `interaction_types` (or `interactionTypes`) and `target`; tags are separated by ";".
 * A row the parser cannot read (a stray quote) is reported with its line.
 */
function readCsv(content: string): ReadRow[] {
  const rows: ReadRow[] = [];
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parseCsv(content, {
      columns: (header: string[]) => header.map((name) => (name.trim() === "interaction_types" ? "interactionTypes" : name.trim())),
      bom: true,
      info: true,
      skip_empty_lines: true,
      relax_column_count: true,
      skip_records_with_error: true,
      // A stray quote can make the parser skip a row twice (a bad closing quote, then the end
      // of the file inside quotes): the row is reported once, with the first reason.
      on_skip: (error: { lines?: number; message: string } | undefined) => {
        const line = error?.lines ?? 0;
        if (error && !rows.some((row) => row.line === line)) rows.push({ line, reason: `This row is not valid CSV: ${error.message}` });
      },
    });
  } catch (error) {
    throw new InvalidInputError(`The file is not CSV with a header row (key, prompt, categories, interaction_types, target): ${(error as Error).message}`);
  }
  for (const { record, info } of records) {
    const fields: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(record)) {
      if (value === undefined) continue;
      if (name === "categories" || name === "interactionTypes") fields[name] = splitTags(value);
      else if (name === "target") fields[name] = value.trim() === "" ? null : Number(value);
      else fields[name] = value;
    }
    rows.push({ line: info.lines, fields });
  }
  return rows.sort((a, b) => a.line - b.line);
}

/** The rows of a JSONL file: one JSON object per line, fields as in {@link scenarioInputSchema} (`interaction_types` too). */
function readJsonl(content: string): ReadRow[] {
  const rows: ReadRow[] = [];
  content.split(/\r?\n/).forEach((text, index) => {
    const line = index + 1;
    if (text.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      rows.push({ line, reason: "This line is not JSON. Write one JSON object per line." });
      return;
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      rows.push({ line, reason: "This line is not a JSON object. Write one object per line, such as {\"key\": \"k1\", \"prompt\": \"…\"}." });
      return;
    }
    const { interaction_types: snake, ...fields } = value as Record<string, unknown>;
    rows.push({ line, fields: snake === undefined ? fields : { interactionTypes: snake, ...fields } });
  });
  return rows;
}

/** The first problem of a row's fields, in words, naming the field. */
function rowProblem(error: z.ZodError): string {
  const issue = error.issues[0]!;
  if (issue.code === "unrecognized_keys") return `Unknown field ${issue.keys.map((key) => `"${key}"`).join(", ")}: the fields are key, prompt, categories, interaction_types and target.`;
  return issue.message;
}

/**
 * Imports scenarios from a JSONL or CSV file's text: every row that is valid is added, or
 * replaces the scenario with its key; every other row (not JSON or CSV, an unknown category
 * or interaction type, no key, a key used by an earlier row) is reported with its line and
 * the reason, and changes nothing. The valid rows are written in one transaction.
 */
export async function importScenarios(db: Db, access: ProjectAccess, format: ScenarioImportFormat, content: string): Promise<ScenarioImportReport> {
  const rows = format === "csv" ? readCsv(content) : readJsonl(content);
  if (rows.length > MAX_IMPORT_ROWS) {
    throw new InvalidInputError(`The file has ${rows.length} rows; import at most ${MAX_IMPORT_ROWS} at a time, in several files.`);
  }
  const rejected: ScenarioImportReport["rejected"] = [];
  const valid = new Map<string, ScenarioInput>();
  for (const row of rows) {
    if ("reason" in row) {
      rejected.push(row);
      continue;
    }
    const parsed = scenarioInputSchema.safeParse(row.fields);
    if (!parsed.success) rejected.push({ line: row.line, reason: rowProblem(parsed.error) });
    else if (valid.has(parsed.data.key)) rejected.push({ line: row.line, reason: `The key "${parsed.data.key}" is used by an earlier row of the file; keys are unique.` });
    else valid.set(parsed.data.key, parsed.data);
  }
  if (valid.size === 0) return { created: 0, updated: 0, rejected };
  const keys = [...valid.keys()];
  return db.$transaction(async (tx) => {
    const existing = await tx.scenario.findMany({ where: { projectId: access.projectId, key: { in: keys } }, select: { id: true, key: true } });
    const idOf = new Map(existing.map((scenario) => [scenario.key, scenario.id]));
    const fresh = keys.filter((key) => !idOf.has(key));
    await tx.scenario.createMany({ data: fresh.map((key) => ({ projectId: access.projectId, ...toData(valid.get(key)!) })) });
    for (const [key, id] of idOf) await tx.scenario.update({ where: { id }, data: toData(valid.get(key)!), select: { id: true } });
    return { created: fresh.length, updated: idOf.size, rejected };
  });
}

/**
 * Starts a draft from a scenario of the caller's project: a new example (as `createExample`)
 * linked to the scenario, whose prompt its page then shows to the author.
 */
export async function startExampleFromScenario(db: Db, access: ProjectAccess, scenarioId: string): Promise<{ id: string }> {
  const scenario = await db.scenario.findFirst({ where: { id: scenarioId, projectId: access.projectId }, select: { id: true } });
  if (!scenario) throw new NotFoundError(`Project "${access.projectSlug}" has no scenario "${scenarioId}". Reload the project page and choose another.`);
  return createExample(db, access, { scenarioId: scenario.id });
}

/** The scenario an example was written for, or null. */
export async function findExampleScenario(db: Db, exampleId: string): Promise<ScenarioView | null> {
  const example = await db.example.findUnique({ where: { id: exampleId }, select: { scenario: { select: scenarioSelect } } });
  return example?.scenario ? toView(example.scenario) : null;
}

/** One cell of the coverage matrix. */
export interface CoverageCell {
  category: BadBehaviourCategory;
  interactionType: InteractionType;
  /** Accepted examples of the scenarios tagged with both. */
  accepted: number;
  /** The sum of those scenarios' targets (0 when none sets one). */
  target: number;
  /** How many scenarios are tagged with both. */
  scenarios: number;
}

/** The coverage matrix (category × interaction type) of a project's accepted examples against its scenarios' targets. */
export interface Coverage {
  categories: readonly BadBehaviourCategory[];
  interactionTypes: readonly InteractionType[];
  /** One cell per category and interaction type, categories first, in the order of their lists. */
  cells: CoverageCell[];
  /** Scenarios in the library. */
  scenarios: number;
  /** Accepted examples written for a scenario (each counted once here, in every cell of its scenario's tags). */
  acceptedWithScenario: number;
  /** Accepted examples linked to a scenario that has no category or no interaction type, which no cell shows. */
  acceptedUntagged: number;
}

/**
 * The coverage matrix: for each category × interaction type, the accepted examples of the
 * scenarios tagged with both, against the sum of their targets. An example of a scenario with
 * two categories counts in both rows (a matrix cell answers "how well is this covered").
 */
export async function getCoverage(db: Db, access: ProjectAccess): Promise<Coverage> {
  const [scenarios, accepted] = await Promise.all([
    db.scenario.findMany({ where: { projectId: access.projectId }, select: { id: true, categories: true, interactionTypes: true, target: true } }),
    acceptedPerScenario(db, access.projectId),
  ]);
  const cells = BAD_BEHAVIOUR_CATEGORIES.flatMap((category) =>
    INTERACTION_TYPES.map((interactionType): CoverageCell => ({ category, interactionType, accepted: 0, target: 0, scenarios: 0 })),
  );
  let acceptedWithScenario = 0;
  let acceptedUntagged = 0;
  for (const scenario of scenarios) {
    const count = accepted.get(scenario.id) ?? 0;
    acceptedWithScenario += count;
    const categories = readTags(scenario.categories, BAD_BEHAVIOUR_CATEGORIES);
    const types = readTags(scenario.interactionTypes, INTERACTION_TYPES);
    if (categories.length === 0 || types.length === 0) acceptedUntagged += count;
    for (const category of categories) {
      for (const type of types) {
        const cell = cells[BAD_BEHAVIOUR_CATEGORIES.indexOf(category) * INTERACTION_TYPES.length + INTERACTION_TYPES.indexOf(type)]!;
        cell.accepted += count;
        cell.target += scenario.target ?? 0;
        cell.scenarios += 1;
      }
    }
  }
  return {
    categories: BAD_BEHAVIOUR_CATEGORIES,
    interactionTypes: INTERACTION_TYPES,
    cells,
    scenarios: scenarios.length,
    acceptedWithScenario,
    acceptedUntagged,
  };
}
