/**
 * An export's filters in words (SPEC §5), one wording for the command line's summary, its
 * refusals and the web app's Exports page, so that a snapshot reads the same everywhere.
 */

/**
 * The filters as an export's manifest and its snapshot's summary record them (null: not
 * filtered). A type, not an interface, so that it is assignable to a JSON column's value.
 */
export type ExportFilterRecord = {
  /** A scenario's key. */
  scenario: string | null;
  /** A bad-behaviour category. */
  category: string | null;
  /** The first creation day (YYYY-MM-DD, UTC), inclusive. */
  created_from: string | null;
  /** The last creation day, inclusive. */
  created_to: string | null;
};

/** The filters in words: `scenario "greeting", category deceit, created 2026-01-01 to 2026-01-31`, or `none`. */
export function describeFilters(filters: ExportFilterRecord): string {
  const parts: string[] = [];
  if (filters.scenario !== null) parts.push(`scenario "${filters.scenario}"`);
  if (filters.category !== null) parts.push(`category ${filters.category}`);
  if (filters.created_from !== null || filters.created_to !== null) parts.push(`created ${filters.created_from ?? "any time"} to ${filters.created_to ?? "now"}`);
  return parts.length === 0 ? "none" : parts.join(", ");
}
