import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { logIn } from "./fixtures.ts";

/** Serious and critical axe-core violations on the current page, by rule id and target. */
async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

test("the login page has no serious accessibility violations", async ({ page }) => {
  await page.goto("/login");
  await expect(page.getByLabel("Email")).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
});

test("the project list, project page and users page have no serious accessibility violations", async ({ page }) => {
  await logIn(page);
  expect(await seriousViolations(page)).toEqual([]);
  await page.goto("/projects/demo");
  await expect(page.getByRole("heading", { name: "Members" })).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
  await page.goto("/users");
  await expect(page.getByRole("heading", { name: "Users" })).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
});

test("the exports page has no serious accessibility violations", async ({ page }) => {
  await logIn(page);
  await page.goto("/projects/demo/exports");
  await expect(page.getByRole("heading", { name: "Exports" })).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
});
