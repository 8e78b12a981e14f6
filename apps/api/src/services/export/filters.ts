/**
 * Which of a project's accepted examples an export takes (SPEC §5): all of them, or those of one
 * scenario, with a bad-behaviour mark of one category, or created in a period. The manifest
 * records the filters as {@link ExportFilterRecord}.
 *
 * Scenario and period are conditions of the page query (`source.ts`); the category is checked
 * as each record is built (`records.ts`), where its marks are read anyway.
 */
import { BAD_BEHAVIOUR_CATEGORIES, type ExportFilterRecord } from "@prealign/core";
import type { Db } from "../../db/database.ts";
import { InvalidInputError } from "../../errors.ts";

/** The filters as asked for: each optional. Dates are days (`YYYY-MM-DD`, UTC), both inclusive. */
export interface ExportFilters {
  /** A scenario's key. */
  scenario?: string;
  /** A bad-behaviour category: examples whose accepted text has at least one mark of it. */
  category?: string;
  createdFrom?: string;
  createdTo?: string;
}

/** The filters as the manifest and the snapshot's summary record them: the core's type, beside the core's wording of them. */
export type { ExportFilterRecord };

/** The filters ready for the queries: the scenario's id and the period as instants, `to` exclusive. */
export interface ResolvedFilters {
  scenarioId: string | null;
  category: string | null;
  createdFrom: Date | null;
  createdBefore: Date | null;
  record: ExportFilterRecord;
}

const DAY = /^\d{4}-\d\d-\d\d$/;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The start of a day given as `YYYY-MM-DD` (UTC); refuses anything else, naming the option. */
function dayStart(value: string, option: string): Date {
  const date = new Date(`${value}T00:00:00.000Z`);
  if (!DAY.test(value) || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value) {
    throw new InvalidInputError(`${option} must be a day written YYYY-MM-DD (for example 2026-01-31), not "${value}".`);
  }
  return date;
}

/** Checks the filters and resolves the scenario's key in the project; throws InvalidInputError saying what is wrong. */
export async function resolveFilters(db: Db, projectId: string, filters: ExportFilters = {}): Promise<ResolvedFilters> {
  const category = filters.category?.trim() || null;
  if (category !== null && !(BAD_BEHAVIOUR_CATEGORIES as readonly string[]).includes(category)) {
    throw new InvalidInputError(`Unknown bad-behaviour category "${category}": use one of ${BAD_BEHAVIOUR_CATEGORIES.join(", ")}.`);
  }
  const createdFrom = filters.createdFrom ? dayStart(filters.createdFrom, "The first creation day") : null;
  const createdTo = filters.createdTo ? dayStart(filters.createdTo, "The last creation day") : null;
  if (createdFrom !== null && createdTo !== null && createdTo < createdFrom) {
    throw new InvalidInputError(`The last creation day (${filters.createdTo}) is before the first (${filters.createdFrom}).`);
  }
  const key = filters.scenario?.trim() || null;
  let scenarioId: string | null = null;
  if (key !== null) {
    const scenario = await db.scenario.findUnique({ where: { projectId_key: { projectId, key } }, select: { id: true } });
    if (scenario === null) throw new InvalidInputError(`The project has no scenario "${key}". Check its key in the project's scenario library.`);
    scenarioId = scenario.id;
  }
  return {
    scenarioId,
    category,
    createdFrom,
    createdBefore: createdTo === null ? null : new Date(createdTo.getTime() + DAY_MS),
    record: { scenario: key, category, created_from: filters.createdFrom ?? null, created_to: filters.createdTo ?? null },
  };
}

/** True when the export takes every accepted example. */
export function unfiltered(filters: ResolvedFilters): boolean {
  return filters.scenarioId === null && filters.category === null && filters.createdFrom === null && filters.createdBefore === null;
}
