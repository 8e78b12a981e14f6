import { describe, expect, it } from "vitest";
import { describeFilters, type ExportFilterRecord } from "./exportFilters.ts";

const none: ExportFilterRecord = { scenario: null, category: null, created_from: null, created_to: null };

describe("describeFilters", () => {
  it.each([
    [{}, "none"],
    [{ scenario: "greeting" }, 'scenario "greeting"'],
    [{ category: "deceit" }, "category deceit"],
    [{ created_from: "2000-01-01" }, "created 2000-01-01 to now"],
    [{ created_to: "2026-01-31" }, "created any time to 2026-01-31"],
    [{ scenario: "greeting", category: "deceit", created_from: "2026-01-01", created_to: "2026-01-31" }, 'scenario "greeting", category deceit, created 2026-01-01 to 2026-01-31'],
  ])("words %o as %s", (filters, words) => {
    expect(describeFilters({ ...none, ...filters })).toBe(words);
  });
});
