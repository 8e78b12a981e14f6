import { describe, expect, it } from "vitest";
import { safeNext } from "./safeNext.ts";

describe("safeNext", () => {
  it.each([
    ["/examples/abc", "/examples/abc"],
    ["/projects/demo?tab=guidelines", "/projects/demo?tab=guidelines"],
    [null, "/"],
    ["", "/"],
    ["https://evil.com", "/"],
    ["evil.com", "/"],
    ["//evil.com", "/"],
    ["/\\evil.com", "/"],
    ["/\\/evil.com", "/"],
  ])("%j leads to %j", (next, expected) => {
    expect(safeNext(next)).toBe(expected);
  });
});
