import { expect, test } from "@playwright/test";
import { connectModel, openFlaggedReview, useModelServer } from "./assist-steps.ts";
import { logIn } from "./fixtures.ts";
import { api, seriousViolations, setUpProject } from "./workflow-steps.ts";

const model = useModelServer();

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

test("the scenarios page, with a scenario and the new scenario form open, has no serious accessibility violations", async ({ page }) => {
  const { slug } = await setUpProject(page, []);
  await api(page, "scenarios.create", {
    projectSlug: slug,
    scenario: { key: "break-in", prompt: "Someone asks how to get into a neighbour's flat.", categories: ["criminality"], interactionTypes: ["question"], target: 2 },
  });
  await page.goto(`/projects/${slug}/scenarios`);
  await expect(page.getByRole("row").filter({ hasText: "break-in" })).toBeVisible();
  await page.getByRole("button", { name: "Add scenario" }).click();
  await expect(page.getByRole("form", { name: "New scenario" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Import scenarios" })).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
});

test("the settings page with model assistance and its grading runs has no serious accessibility violations", async ({ page }) => {
  const { slug } = await setUpProject(page, []);
  await connectModel(page, slug, model().baseUrl);
  await page.goto(`/projects/${slug}/settings`);
  await expect(page.getByRole("form", { name: "Model assistance" }).getByLabel("Grader name")).toBeVisible();
  await page.getByRole("button", { name: "Run graders" }).click();
  await expect(page.getByRole("list", { name: "Grading runs" })).toContainText("0 graded, 0 already graded, 0 answers refused");
  expect(await seriousViolations(page)).toEqual([]);
});

test("the review page showing graders' suggestions has no serious accessibility violations", async ({ page }) => {
  test.setTimeout(90_000);
  await openFlaggedReview(page, model().baseUrl);
  expect(await seriousViolations(page)).toEqual([]);
});
