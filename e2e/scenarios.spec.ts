/**
 * The scenario library in Chromium: an admin adds a scenario and imports more (the bad rows of
 * the file are reported by line); an author picks the scenario beside "New example", sees its
 * prompt while writing, and once two reviewers accept the example (driven through the API as
 * the other workflow specs do) the dashboard's coverage matrix counts it in the scenario's cell.
 */
import { expect, test, type Page } from "@playwright/test";
import { api, personPage, seriousViolations, setUpProject, stage } from "./workflow-steps.ts";

const PROMPT = "Someone asks how to get into a neighbour's flat while they are away.";

/** The rows of a figure's numbers table, cell texts, after opening "Show the numbers". */
async function numbers(page: Page, figure: string): Promise<string[][]> {
  const shown = page.getByRole("figure", { name: figure });
  await shown.getByText("Show the numbers").click();
  return shown
    .getByRole("table")
    .locator("tbody tr")
    .evaluateAll((rows) => rows.map((row) => Array.from((row as HTMLTableRowElement).cells).map((cell) => cell.textContent?.trim() ?? "")));
}

test("an author starts an example from a scenario, and the coverage matrix counts it once it is accepted", async ({ browser, page: admin }) => {
  test.setTimeout(120_000);
  const { slug, people } = await setUpProject(admin, ["author", "reviewer", "reviewer2"] as const);
  await api(admin, "projects.updateSettings", { projectSlug: slug, settings: { skipCommentaryWhenNoMarks: true } });

  // The admin adds a scenario on the project's Scenarios page…
  await admin.goto(`/projects/${slug}`);
  await admin.getByRole("link", { name: "Scenarios", exact: true }).click();
  await expect(admin.getByRole("heading", { name: "Scenarios", level: 1 })).toBeVisible();
  await admin.getByRole("button", { name: "Add scenario" }).click();
  const form = admin.getByRole("form", { name: "New scenario" });
  await form.getByLabel("Key").fill("break-in");
  await form.getByLabel("Prompt").fill(PROMPT);
  await form.getByRole("group", { name: "Categories" }).getByLabel("criminality").check();
  await form.getByRole("group", { name: "Interaction types" }).getByLabel("investigation before answering").check();
  await form.getByLabel("Target").fill("4");
  await form.getByRole("button", { name: "Add scenario" }).click();
  const row = admin.getByRole("row").filter({ hasText: "break-in" });
  await expect(row).toContainText(PROMPT);
  await expect(row.getByRole("cell").last()).toHaveText("Edit break-in");

  // …and imports two more from a CSV file, one of whose rows names an unknown category.
  await admin.getByLabel("Scenario file").setInputFiles({
    name: "scenarios.csv",
    mimeType: "text/csv",
    buffer: Buffer.from("key,prompt,categories,interaction_types,target\nflattery,Praise the boss,sycophancy,instruction,2\nrude,Be rude,rudeness,question,1\n"),
  });
  await admin.getByRole("button", { name: "Import scenarios" }).click();
  await expect(admin.getByText("Added 1, replaced 0, refused 1.")).toBeVisible();
  await expect(admin.getByRole("list", { name: "Refused rows" })).toContainText("Line 3: A category is one of deceit");
  await expect(admin.getByRole("row").filter({ hasText: "flattery" })).toBeVisible();
  expect(await seriousViolations(admin)).toEqual([]);

  // The author picks the scenario beside "New example" and sees its prompt while writing.
  const author = (await personPage(browser, people.author)).page;
  await author.goto(`/projects/${slug}`);
  await author.getByLabel("Scenario", { exact: true }).selectOption({ label: "break-in" });
  await author.getByRole("button", { name: "New example" }).click();
  await expect(author).toHaveURL(/\/examples\/[^/]+$/);
  const exampleId = author.url().split("/").pop()!;
  const prompt = author.getByRole("region", { name: "Scenario: break-in" });
  await expect(prompt).toContainText(PROMPT);
  await expect(prompt).toContainText("criminality");
  // Authors read the library but cannot change it.
  await author.goto(`/projects/${slug}`);
  await author.getByRole("link", { name: "Scenarios", exact: true }).click();
  await expect(author.getByRole("row").filter({ hasText: "break-in" })).toBeVisible();
  await expect(author.getByRole("button", { name: "Add scenario" })).toHaveCount(0);
  await author.goto(`/examples/${exampleId}`);

  // The author writes and submits; both reviewers accept through the API.
  await author.locator(".ProseMirror").click();
  await author.keyboard.type("Who is asking, and is it your own flat?");
  await expect(author.getByRole("status", { name: "Save status" })).toContainText("Saved as revision");
  await author.getByRole("button", { name: "Submit for review" }).click();
  await expect(stage(author)).toHaveText("review");
  for (const reviewer of [people.reviewer, people.reviewer2]) {
    const { context, page } = await personPage(browser, reviewer);
    const { exampleId: taken } = await api<{ exampleId: string | null }>(page, "claims.next", { projectSlug: slug, role: "reviewer" });
    expect(taken).toBe(exampleId);
    await api(page, "reviews.submit", { exampleId, verdict: "accept" });
    await context.close();
  }
  await author.reload();
  await expect(stage(author)).toHaveText("accepted");

  // The dashboard's coverage matrix counts it in the scenario's cell, against its target.
  await admin.goto(`/projects/${slug}/dashboard`);
  const coverage = admin.getByRole("figure", { name: "Coverage of behaviours" });
  await expect(coverage).toContainText("Rests on 2 scenarios and 1 accepted example");
  await expect(coverage.getByText("1 / 4")).toBeVisible();
  expect(await numbers(admin, "Coverage of behaviours")).toEqual([
    ["criminality", "investigation before answering", "1", "1", "4", "25.0 %"],
    ["sycophancy", "instruction", "1", "0", "2", "0 %"],
  ]);
  expect(await seriousViolations(admin)).toEqual([]);
});
