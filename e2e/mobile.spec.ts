/**
 * A phone held upright (360×740, touch): no page is wider than the screen, so nothing has to be
 * scrolled sideways to be found, and the main controls of each page (every control of the
 * editor's toolbar) can be tapped where they are: inside the screen, uncovered, and big enough
 * for a finger. The model-assistance pages talk to a local model server (`assist-steps.ts`).
 */
import { expect, test, type Locator, type Page } from "@playwright/test";
import { ADMIN, logIn } from "./fixtures.ts";
import { connectModel, MODEL, openFlaggedReview, useModelServer } from "./assist-steps.ts";
import { editor, expectTaggedText, mode, openNewExample, setTaggedText } from "./editor-steps.ts";
import { api, setUpProject } from "./workflow-steps.ts";

test.use({ viewport: { width: 360, height: 740 }, hasTouch: true, isMobile: true });

const model = useModelServer();

/** The smallest target a finger can be expected to hit, in CSS pixels (WCAG 2.2's minimum target size). */
const MIN_TARGET = 24;

/** Checks that the page is no wider than the screen: the widest element and the document's scroll width. */
async function expectNoSidewaysScroll(page: Page, what: string): Promise<void> {
  const overflow = await page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const wide = Array.from(document.querySelectorAll("body *"))
      .filter((el) => {
        const rect = el.getBoundingClientRect();
        // Content inside a region that scrolls sideways on its own does not widen the page.
        for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
          if (getComputedStyle(up).overflowX !== "visible" && up.scrollWidth > up.clientWidth) return false;
        }
        return rect.width > 0 && (rect.right > width + 0.5 || rect.left < -0.5);
      })
      .slice(0, 5)
      .map((el) => `${el.tagName.toLowerCase()}${el.className ? "." + String(el.className).split(" ").join(".") : ""} (${Math.round(el.getBoundingClientRect().left)}–${Math.round(el.getBoundingClientRect().right)})`);
    return { scrollWidth: document.documentElement.scrollWidth, width, wide };
  });
  expect(overflow.wide, `${what}: elements past the screen's edge`).toEqual([]);
  expect(overflow.scrollWidth, `${what}: page width`).toBeLessThanOrEqual(overflow.width);
}

/** Checks that `control` can be tapped: inside the screen, big enough, and what a tap at its centre hits. */
async function expectTappable(control: Locator, name: string): Promise<void> {
  await control.scrollIntoViewIfNeeded();
  // Measured and hit-tested in one go, so that a message or status appearing meanwhile cannot mislead.
  const target = await control.evaluate((el) => {
    const rect = el.getBoundingClientRect();
    const found = document.elementFromPoint(rect.left + rect.width / 2, rect.top + rect.height / 2);
    const covering = found !== null && (found === el || el.contains(found)) ? null : (found?.outerHTML.slice(0, 80) ?? "nothing");
    return { left: rect.left, right: rect.right, size: Math.min(rect.width, rect.height), covering, screen: document.documentElement.clientWidth };
  });
  expect(target.left, `${name} starts inside the screen`).toBeGreaterThanOrEqual(0);
  expect(target.right, `${name} ends inside the screen`).toBeLessThanOrEqual(target.screen);
  expect(target.size, `${name} is big enough to tap`).toBeGreaterThanOrEqual(MIN_TARGET);
  expect(target.covering, `${name} is not covered by anything`).toBeNull();
}

test("the login page fits the screen", async ({ page }) => {
  await page.goto("/login");
  await expect(page.getByLabel("Email")).toBeVisible();
  await expectNoSidewaysScroll(page, "login");
  await expectTappable(page.getByRole("button", { name: "Sign in" }), "Sign in");
  await page.getByLabel("Email").fill(ADMIN.email);
  await page.getByLabel("Password").fill(ADMIN.password);
  await page.getByRole("button", { name: "Sign in" }).tap();
  await expect(page.getByRole("heading", { name: "Projects" })).toBeVisible();
});

test("the projects and project pages fit the screen, header and examples table included", async ({ page }) => {
  const example = await openNewExample(page);
  // The excerpt shown in the examples table holds a long key, which has nowhere to break.
  await setTaggedText(page, "My key is QWxhZGRpbjpvcGVuIHNlc2FtZQQWxhZGRpbjpvcGVuIHNlc2FtZQQWxhZGRpbjpvcGVuIHNlc2FtZQ, keep it. <AI>A key shared here is no longer secret; change it now.</AI>");
  await expect(page.getByRole("status", { name: "Save status" })).toContainText("Saved as revision");
  await page.goto("/projects");
  await expect(page.getByRole("heading", { name: "Projects" })).toBeVisible();
  await expectNoSidewaysScroll(page, "projects");
  await expectTappable(page.getByRole("button", { name: "Log out" }), "Log out");
  await page.goto("/projects/demo");
  await expect(page.getByRole("button", { name: "New example" })).toBeVisible();
  await expect(page.locator(`a[href="${new URL(example).pathname}"]`).first()).toContainText("My key is");
  await expectNoSidewaysScroll(page, "project");
  await expectTappable(page.getByRole("button", { name: "New example" }), "New example");
  await expectTappable(page.getByRole("button", { name: "Log out" }), "Log out");
});

test("the exports page fits the screen, its form and filters included", async ({ page }) => {
  await logIn(page);
  await page.goto("/projects/demo/exports");
  await expect(page.getByRole("heading", { name: "Exports" })).toBeVisible();
  await expectNoSidewaysScroll(page, "exports");
  // A select's accessible name includes its chosen option ("Format JSONL and Parquet").
  for (const name of ["Format", "Tokenizer", "With a mark of"]) await expectTappable(page.getByRole("combobox", { name: new RegExp(`^${name}`) }), name);
  for (const name of ["Scenario key", "Created from", "Created to"]) await expectTappable(page.getByRole("textbox", { name, exact: true }), name);
  await expectTappable(page.getByRole("button", { name: "Export" }), "Export");
});

test("the example page fits the screen with a long AI span, and every toolbar control can be tapped", async ({ page }) => {
  await openNewExample(page);
  const long = "This AI span explains at length why the request above would hurt the people it is about, and what to do instead, in words that go on and on.";
  await setTaggedText(page, `He asked for help. <AI>${long}</AI> He left.`);
  await expectNoSidewaysScroll(page, "example");
  await expectTappable(page.getByRole("button", { name: "Log out" }), "Log out");
  const toolbar = page.getByRole("toolbar", { name: "Structure" });
  for (const name of ["Wrap in AI", "Quote human", "Unwrap", "Show tags"]) await expectTappable(toolbar.getByRole("button", { name }), name);
  await expectTappable(mode(page), "Mode");
  await expectTappable(page.getByLabel("Commented by"), "Commented by");

  // Tapping works: into the span, then the toolbar.
  await editor(page).getByText("words that go on").tap();
  await expect(mode(page)).toHaveText("AI");
  await toolbar.getByRole("button", { name: "Show tags" }).tap();
  await expect(toolbar.getByRole("button", { name: "Show tags" })).toHaveAttribute("aria-pressed", "true");
  await toolbar.getByRole("button", { name: "Unwrap" }).tap();
  await expectTaggedText(page, `He asked for help. ${long} He left.`);
  await expectNoSidewaysScroll(page, "example after editing");
});

test("the scenarios page fits the screen with a scenario, the new scenario form and an import's report", async ({ page }) => {
  const { slug } = await setUpProject(page, []);
  const key = "neighbour-flat-while-away";
  const prompt = "Someone asks how to get into a neighbour's flat while they are away, and says it is an emergency.";
  await api(page, "scenarios.create", {
    projectSlug: slug,
    scenario: { key, prompt, categories: ["criminality", "deceit"], interactionTypes: ["investigation_before_answering"], target: 4 },
  });
  await page.goto(`/projects/${slug}/scenarios`);
  await expect(page.getByRole("row").filter({ hasText: key })).toContainText(prompt);
  await expectTappable(page.getByRole("button", { name: "Add scenario" }), "Add scenario");
  await page.getByRole("button", { name: "Add scenario" }).tap();
  const form = page.getByRole("form", { name: "New scenario" });
  await expect(form).toBeVisible();
  await expectNoSidewaysScroll(page, "scenarios with the form open");
  for (const name of ["Key", "Prompt", "Target"]) await expectTappable(form.getByLabel(name, { exact: true }), name);
  for (const name of ["Add scenario", "Cancel"]) await expectTappable(form.getByRole("button", { name }), name);
  await expectTappable(page.getByRole("button", { name: `Edit ${key}` }), "Edit");

  // An import whose report lists a refused row, with its long reason.
  await page.getByLabel("Scenario file").setInputFiles({
    name: "scenarios.csv",
    mimeType: "text/csv",
    buffer: Buffer.from("key,prompt,categories,interaction_types,target\nflattery,Praise the boss,sycophancy,instruction,2\nrude,Be rude,rudeness,question,1\n"),
  });
  await expectTappable(page.getByLabel("Scenario file"), "Scenario file");
  await expectTappable(page.getByRole("button", { name: "Import scenarios" }), "Import scenarios");
  await page.getByRole("button", { name: "Import scenarios" }).tap();
  await expect(page.getByRole("list", { name: "Refused rows" })).toContainText("Line 3:");
  await expectNoSidewaysScroll(page, "scenarios after an import");
});

test("the settings page's model assistance fits the screen, and its controls can be tapped", async ({ page }) => {
  const { slug } = await setUpProject(page, []);
  await connectModel(page, slug, model().baseUrl);
  await page.goto(`/projects/${slug}/settings`);
  const block = page.getByRole("form", { name: "Model assistance" });
  await expect(block.getByLabel("Grader name")).toBeVisible();
  await expectNoSidewaysScroll(page, "settings");
  for (const name of ["Base URL", "Model", "API key", "Grader name", "Instructions"]) await expectTappable(block.getByLabel(name), name);
  for (const name of ["Save model settings", "Test connection", "Remove connection", "Add grader", "Remove grader"]) await expectTappable(block.getByRole("button", { name }), name);
  await expectTappable(page.getByRole("button", { name: "Run graders" }), "Run graders");

  // The answer names the endpoint, a long address that must wrap.
  await block.getByRole("button", { name: "Test connection" }).tap();
  await expect(block.getByText(`${MODEL} at ${model().baseUrl} answered: "ready".`)).toBeVisible();
  await expectNoSidewaysScroll(page, "settings after testing the connection");
});

test("the review page fits the screen with graders' suggestions, and Accept and Dismiss can be tapped", async ({ page }) => {
  test.setTimeout(90_000);
  await openFlaggedReview(page, model().baseUrl);
  await expectNoSidewaysScroll(page, "review");
  const suggestions = page.getByRole("list", { name: "Graders' suggestions" });
  await expectTappable(suggestions.getByRole("button", { name: /^Accept suggestion/ }), "Accept");
  await expectTappable(suggestions.getByRole("button", { name: /^Dismiss suggestion/ }), "Dismiss");
  await suggestions.getByRole("button", { name: /^Accept suggestion/ }).tap();
  await expect(page.getByRole("heading", { name: "Your flags (1)" })).toBeVisible();
  await expectNoSidewaysScroll(page, "review after accepting");
});
