/**
 * The workflow's pages around the example: the "My work" home, the project page's stage
 * filter and queues, a project's settings and its audit log. What the pages show is arranged
 * through the API (as the signed-in person, from the page), since moving examples through the
 * stages is the example page's business and its own specs'.
 */
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { ADMIN, logIn, mutate, unique } from "./fixtures.ts";

/** Serious and critical axe-core violations on the current page, by rule id and target. */
async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

/** Whether the page is wider than the window (something does not fit and scrolls sideways). */
async function overflowsSideways(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);
}

/** A project of the test's own with two drafts, one of them submitted to commentary. */
async function projectWithExamples(page: Page) {
  const slug = unique("wf");
  await mutate(page, "projects.create", { slug, name: `Workflow ${slug}` });
  const draft = await mutate<{ id: string }>(page, "examples.create", { projectSlug: slug });
  const submitted = await mutate<{ id: string }>(page, "examples.create", { projectSlug: slug });
  await mutate(page, "workflow.act", { exampleId: submitted.id, action: "submit" });
  return { slug, name: `Workflow ${slug}`, draftId: draft.id, submittedId: submitted.id };
}

/** A new member of the project in the given roles; returns how they log in. */
async function newMember(page: Page, slug: string, roles: string[]) {
  const email = `${unique("worker")}@e2e.test`;
  const password = "a long enough password for e2e";
  const created = await mutate<{ user: { id: string } }>(page, "users.create", { email, name: email.split("@")[0], password });
  await mutate(page, "members.add", { projectSlug: slug, email, role: roles[0] });
  await mutate(page, "members.setRoles", { projectSlug: slug, userId: created.user.id, roles });
  return { email, password };
}

test("the examples list filters by stage, and the filter survives a reload", async ({ page }) => {
  await logIn(page);
  const project = await projectWithExamples(page);
  await page.goto(`/projects/${project.slug}`);
  const rows = page.getByRole("table").first().getByRole("row");
  await expect(rows).toHaveCount(3); // a header and two examples
  await expect(page.getByRole("cell", { name: "commentary", exact: true })).toHaveCount(1);
  await expect(page.getByRole("cell", { name: "draft", exact: true })).toHaveCount(1);

  await page.getByLabel("Filter by stage").selectOption("commentary");
  await expect(page).toHaveURL(/\?stage=commentary$/);
  await expect(rows).toHaveCount(2);
  await expect(page.getByRole("cell", { name: "commentary", exact: true })).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);

  await page.reload();
  await expect(page.getByLabel("Filter by stage")).toHaveValue("commentary");
  await expect(rows).toHaveCount(2);

  await page.getByLabel("Filter by stage").selectOption("review");
  await expect(page.getByText("No examples in review.")).toBeVisible();

  await page.getByLabel("Filter by stage").selectOption("");
  await expect(rows).toHaveCount(3);
});

test("an admin changes the project's settings; they are saved and still there after a reload", async ({ page }) => {
  await logIn(page);
  const slug = unique("wf");
  await mutate(page, "projects.create", { slug, name: `Settings ${slug}` });
  await page.goto(`/projects/${slug}`);
  await page.getByRole("link", { name: "Settings" }).click();
  await expect(page.getByRole("heading", { name: "Settings", level: 1 })).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);

  const k = page.getByLabel("Reviewers per example");
  await expect(k).toHaveValue("2");
  await k.fill("11");
  await expect(page.getByText("Enter a whole number from 1 to 10.")).toBeVisible();
  await expect(page.getByRole("button", { name: "Save settings" })).toBeDisabled();

  await k.fill("3");
  await page.getByLabel("Skip commentary when an example has no bad-behaviour marks").check();
  await page.getByLabel("Allow the <AI_quoting_unaligned_AI> pair").check();
  await page.getByLabel("Warn about quoted speech without quotation marks").uncheck();
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByRole("status")).toHaveText("Settings saved.");

  await page.reload();
  await expect(page.getByLabel("Reviewers per example")).toHaveValue("3");
  await expect(page.getByLabel("Skip commentary when an example has no bad-behaviour marks")).toBeChecked();
  await expect(page.getByLabel("Allow the <AI_quoting_unaligned_AI> pair")).toBeChecked();
  await expect(page.getByLabel("Warn about quoted speech without quotation marks")).not.toBeChecked();

  // The change is in the audit log, showing only the settings that changed.
  await page.goto(`/projects/${slug}/audit?action=project.settings`);
  const change = page.getByRole("row").filter({ hasText: "Settings changed" });
  await expect(change).toHaveCount(1);
  await expect(change.getByRole("cell").nth(4)).toHaveText(/reviewersPerExample: 2/);
  await expect(change.getByRole("cell").nth(5)).toHaveText(/reviewersPerExample: 3/);
});

test("the audit log shows a stage change, and filters by example and action", async ({ page }) => {
  await logIn(page);
  const project = await projectWithExamples(page);
  await page.goto(`/projects/${project.slug}`);
  await page.getByRole("link", { name: "Audit log" }).click();
  await expect(page.getByRole("heading", { name: "Audit log", level: 1 })).toBeVisible();

  // Creating each example is recorded as its first stage change (to draft); submitting one moves it on.
  const stageChanges = page.getByRole("row").filter({ hasText: "Stage change" });
  await expect(stageChanges).toHaveCount(3);
  const submitted = stageChanges.filter({ hasText: "commentary" });
  await expect(submitted).toHaveCount(1);
  await expect(submitted.getByRole("cell").nth(1)).toHaveText("Admin");
  await expect(submitted.getByRole("cell").nth(3)).toHaveText(project.submittedId);
  await expect(submitted.getByRole("cell").nth(4)).toHaveText("draft");
  await expect(submitted.getByRole("cell").nth(5)).toHaveText("commentary");
  expect(await seriousViolations(page)).toEqual([]);

  await page.getByLabel("Example id").fill(project.draftId);
  await page.getByLabel("Action").selectOption({ label: "Stage change" });
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(new RegExp(`example=${project.draftId}&action=example.stage`));
  await expect(stageChanges).toHaveCount(1);
  await expect(stageChanges.getByRole("cell").nth(5)).toHaveText("draft");

  await page.getByLabel("Action").selectOption({ label: "Settings changed" });
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page.getByText("No entries match these filters.")).toBeVisible();

  await page.getByLabel("Example id").fill(project.submittedId);
  await page.getByLabel("Action").selectOption({ label: "Stage change" });
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(stageChanges).toHaveCount(2);
  await page.reload();
  await expect(page.getByLabel("Example id")).toHaveValue(project.submittedId);
  await expect(stageChanges).toHaveCount(2);

  await page.getByRole("button", { name: "Clear filters" }).click();
  await expect(page.getByLabel("Example id")).toHaveValue("");
  await expect(stageChanges).toHaveCount(3);
});

test("my work lists each queue; Take next opens the claimed example, or says there is nothing to take", async ({ page }) => {
  await logIn(page);
  const project = await projectWithExamples(page);
  const worker = await newMember(page, project.slug, ["commentator", "reviewer"]);
  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page).toHaveURL(/\/login/);
  await logIn(page, worker);

  await expect(page.getByRole("heading", { name: "My work", level: 1 })).toBeVisible();
  const card = page.getByRole("article", { name: project.name });
  await expect(card.getByRole("row", { name: /Commentary/ }).getByRole("cell").first()).toHaveText("1");
  await expect(card.getByRole("row", { name: /Review/ }).getByRole("cell").first()).toHaveText("0");
  expect(await seriousViolations(page)).toEqual([]);

  await card.getByRole("button", { name: "Take next as reviewer" }).click();
  await expect(card.getByRole("status")).toContainText("Nothing to take");

  await card.getByRole("button", { name: "Take next as commentator" }).click();
  await expect(page).toHaveURL(new RegExp(`/examples/${project.submittedId}$`));

  // A member without the admin role sees no settings or audit log links, and the queue of
  // each of their roles on the project page.
  await page.goto(`/projects/${project.slug}`);
  await expect(page.getByRole("heading", { name: project.name })).toBeVisible();
  await expect(page.getByRole("link", { name: "Settings" })).toHaveCount(0);
  await expect(page.getByRole("link", { name: "Audit log" })).toHaveCount(0);
  await page.getByRole("button", { name: "Take next as reviewer" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Nothing to take" })).toBeVisible();
});

test("the new pages have no serious accessibility violations and fit a 360 px wide screen", async ({ page }) => {
  await logIn(page, ADMIN);
  const project = await projectWithExamples(page);
  await page.setViewportSize({ width: 360, height: 740 });
  const pages: Array<[string, string]> = [
    ["/", "My work"],
    ["/projects", "Projects"],
    [`/projects/${project.slug}?stage=draft`, project.name],
    [`/projects/${project.slug}/settings`, "Settings"],
    [`/projects/${project.slug}/audit`, "Audit log"],
  ];
  for (const [path, heading] of pages) {
    await page.goto(path);
    await expect(page.getByRole("heading", { name: heading, level: 1 })).toBeVisible();
    await expect(page.getByRole("status")).toHaveCount(0);
    expect(await seriousViolations(page), path).toEqual([]);
    expect(await overflowsSideways(page), `${path} scrolls sideways`).toBe(false);
  }
});
