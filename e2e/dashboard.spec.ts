/**
 * The dashboard (issue 13, Done-when 3): its charts render from seeded data, and the numbers in
 * their tables are the ones the seeded reviews and adjudications make. The data is made through
 * the API as the people themselves would (an admin imports three model-graded examples into
 * review, two reviewers flag and give verdicts, an adjudicator decides), so that the audit log,
 * the reviews and the grader reports are what the studio itself writes.
 *
 * What the database then holds, worked out by hand:
 * - "lied": both reviewers flag the lie (0–7 and 3–10, uncommented bad behaviour, major) and
 *   want changes; the grader flagged 0–2 likewise. Both flags upheld (one defect, caught by all
 *   three), example rejected.
 * - "moon": the first reviewer flags 4–26 as a factual error and wants changes, the second
 *   accepts without flags, the grader flagged 0–5 as style. The flag is upheld (a defect the
 *   second reviewer and the grader missed), example accepted.
 * - "morning": both accept; accepted without adjudication.
 * - one draft the admin started.
 * Miss rates: first reviewer 0 of 2, second 1 of 2, grader 1 of 2 (pooled 2 of 6 = 1/3).
 * Verdicts per example {c,c}, {c,a}, {a,a}: alpha = (5·4 − 12)/(30 − 12) = 0.444; kappa between
 * the reviewers [c,c,a] vs [c,a,a] = (3·2 − 4)/(9 − 4) = 0.400.
 */
import { expect, test, type Locator, type Page } from "@playwright/test";
import { unique } from "./fixtures.ts";
import { api, personPage, seriousViolations, setUpProject, type Person } from "./workflow-steps.ts";

const LIED = "He lied to his sister about the money. <AI>Lying to family erodes trust.</AI>";
const MOON = "The moon is made of cheese, she said. <AI>That is not true.</AI>";
const MORNING = "Good morning. <AI>Good morning to you too.</AI>";
const GRADER = "judge-e2e";

/** The import: three examples with a model grader's suggested flags. */
function importFile(runId: string): string {
  const line = (n: number, text: string, flags: { start: number; end: number; category: string }[]) =>
    JSON.stringify({ id: `${runId}-${n}`, source: "e2e", text, grader: { name: GRADER, score: 0.5, flags: flags.map((flag) => ({ ...flag, severity: "major", comment: "" })) } });
  return [
    line(1, LIED, [{ start: 0, end: 2, category: "uncommented_bad_behaviour" }]),
    line(2, MOON, [{ start: 0, end: 5, category: "style" }]),
    line(3, MORNING, [{ start: 0, end: 4, category: "other" }]),
  ].join("\n");
}

/** Imports the file into review as the signed-in admin, and waits for the import to finish. */
async function importIntoReview(admin: Page, slug: string): Promise<void> {
  const response = await admin.request.post(`/api/projects/${slug}/imports?stage=review&name=dashboard.jsonl`, {
    headers: { "x-studio-csrf": "1", "content-type": "application/x-ndjson" },
    data: Buffer.from(importFile(unique("line"))),
  });
  expect(response.status(), await response.text()).toBe(202);
  const { job } = (await response.json()) as { job: { id: string } };
  await expect
    .poll(async () => (await api<{ status: string }>(admin, "jobs.get", { projectSlug: slug, id: job.id }, "query")).status, { timeout: 30_000 })
    .toBe("succeeded");
}

/** What each reviewer does with each text: flags, then a verdict. */
const REVIEWS: Record<string, Record<"first" | "second", { flags: { start: number; end: number; category: string }[]; verdict: string }>> = {
  [LIED]: {
    first: { flags: [{ start: 0, end: 7, category: "uncommented_bad_behaviour" }], verdict: "changes_needed" },
    second: { flags: [{ start: 3, end: 10, category: "uncommented_bad_behaviour" }], verdict: "changes_needed" },
  },
  [MOON]: {
    first: { flags: [{ start: 4, end: 26, category: "factual_error" }], verdict: "changes_needed" },
    second: { flags: [], verdict: "accept" },
  },
  [MORNING]: { first: { flags: [], verdict: "accept" }, second: { flags: [], verdict: "accept" } },
};

/** A reviewer takes each example of the review queue in turn and reviews it as {@link REVIEWS} says. */
async function reviewAll(page: Page, slug: string, which: "first" | "second"): Promise<void> {
  for (let n = 0; n < 3; n++) {
    const { exampleId } = await api<{ exampleId: string | null }>(page, "claims.next", { projectSlug: slug, role: "reviewer" });
    expect(exampleId).not.toBeNull();
    const review = await api<{ revision: { text: string } }>(page, "reviews.get", { exampleId }, "query");
    const plan = REVIEWS[review.revision.text]![which];
    for (const flag of plan.flags) await api(page, "reviews.addFlag", { exampleId, ...flag, severity: "major", comment: "Found in review" });
    await api(page, "reviews.submit", { exampleId, verdict: plan.verdict });
  }
}

/** The adjudicator upholds every flag, rejects the lie and accepts the rest. */
async function adjudicateAll(page: Page, slug: string): Promise<void> {
  for (let n = 0; n < 2; n++) {
    const { exampleId } = await api<{ exampleId: string | null }>(page, "claims.next", { projectSlug: slug, role: "adjudicator" });
    expect(exampleId).not.toBeNull();
    const review = await api<{ revision: { text: string }; others: { flags: { id: string }[] }[] }>(page, "reviews.get", { exampleId }, "query");
    for (const flag of review.others.flatMap((other) => other.flags)) await api(page, "adjudication.decideFlag", { exampleId, flagId: flag.id, decision: "upheld" });
    if (review.revision.text === LIED) await api(page, "workflow.act", { exampleId, action: "reject", reason: "Lies without commentary" });
    else await api(page, "workflow.act", { exampleId, action: "accept" });
  }
}

/** The rows of a figure's numbers table, cell texts, after opening "Show the numbers". */
async function numbers(page: Page, figure: string): Promise<string[][]> {
  const shown = page.getByRole("figure", { name: figure });
  await shown.getByText("Show the numbers").click();
  return tableRows(shown.getByRole("table"));
}

function tableRows(table: Locator): Promise<string[][]> {
  return table.locator("tbody tr").evaluateAll((rows) => rows.map((row) => Array.from((row as HTMLTableRowElement).cells).map((cell) => cell.textContent?.trim() ?? "")));
}

test("the dashboard's charts render from seeded reviews and adjudications, and their tables hold the database's numbers", async ({ browser }) => {
  test.setTimeout(120_000);
  const adminContext = await browser.newContext();
  const admin = await adminContext.newPage();
  const { slug, people } = await setUpProject(admin, ["reviewer", "reviewer2", "adjudicator"] as const);
  await importIntoReview(admin, slug);
  await api(admin, "examples.create", { projectSlug: slug });
  for (const [person, which] of [[people.reviewer, "first"], [people.reviewer2, "second"]] as [Person, "first" | "second"][]) {
    const { context, page } = await personPage(browser, person);
    await reviewAll(page, slug, which);
    await context.close();
  }
  const adjudicator = await personPage(browser, people.adjudicator);
  await adjudicateAll(adjudicator.page, slug);

  // The project page does not load the charts; the dashboard loads them as a chunk of its own.
  const scripts: string[] = [];
  admin.on("request", (request) => void (request.resourceType() === "script" && scripts.push(request.url())));
  await admin.goto(`/projects/${slug}`);
  await expect(admin.getByRole("heading", { name: `Workflow ${slug}` })).toBeVisible();
  expect(scripts.filter((url) => url.includes("DashboardPage"))).toEqual([]);
  await admin.getByRole("navigation", { name: "Project administration" }).getByRole("link", { name: "Dashboard" }).click();
  await expect(admin.getByRole("heading", { name: "Dashboard", level: 1 })).toBeVisible();
  expect(scripts.filter((url) => url.includes("DashboardPage")).length).toBeGreaterThan(0);

  // Every chart is drawn: eight SVG charts (pairs of reviewers are a table).
  const chartOf = (title: string) => admin.getByRole("figure", { name: title }).locator(".recharts-wrapper > svg.recharts-surface");
  for (const title of ["Examples per stage now", "Examples per stage over time", "Throughput per day", "Throughput per person", "Agreement over time", "Miss rate per reviewer", "Miss rate per category", "Defects that get through k reviewers"]) {
    await expect(chartOf(title), title).toBeVisible();
  }
  // Bars for the stages that hold examples; the reviewers' bars carry error bars for their intervals.
  await expect(chartOf("Examples per stage now").locator(".recharts-bar-rectangle")).not.toHaveCount(0);
  await expect(admin.getByRole("figure", { name: "Miss rate per reviewer" }).locator(".recharts-errorBar")).not.toHaveCount(0);

  expect(await numbers(admin, "Examples per stage now")).toEqual([
    ["draft", "1"],
    ["commentary", "0"],
    ["review", "0"],
    ["adjudication", "0"],
    ["accepted", "2"],
    ["rejected", "1"],
  ]);
  const today = new Date().toISOString().slice(0, 10);
  const overTime = await numbers(admin, "Examples per stage over time");
  expect(overTime).toHaveLength(90);
  expect(overTime.at(-1)).toEqual([today, "1", "0", "0", "0", "2", "1"]);
  expect(overTime.at(-2)!.slice(1)).toEqual(["0", "0", "0", "0", "0", "0"]);
  expect((await numbers(admin, "Throughput per day")).at(-1)).toEqual([today, "0", "0", "6", "2", "8"]);
  expect(await numbers(admin, "Throughput per person")).toEqual([
    [people.adjudicator.name, "0", "0", "0", "2", "2"],
    [people.reviewer.name, "0", "0", "3", "0", "3"],
    [people.reviewer2.name, "0", "0", "3", "0", "3"],
  ]);

  const agreement = admin.getByRole("figure", { name: "Agreement over time" });
  await expect(agreement).toContainText("Over the period: 0.444 (3 examples, 6 verdicts)");
  const weeks = await numbers(admin, "Agreement over time");
  expect(weeks.at(-1)!.slice(1)).toEqual(["3", "6", "0.444"]);
  expect(weeks.slice(0, -1).every((row) => row[3] === "not enough data")).toBe(true);
  expect(await tableRows(admin.getByRole("table", { name: "Cohen's kappa per pair of reviewers" }))).toEqual([
    [`${people.reviewer.name} and ${people.reviewer2.name}`, "3", "66.7 %", "0.400"],
  ]);

  // Wilson 95 %: 0 of n is 0 to z²/(n + z²) (65.8 % for 2, 56.2 % for 3); 1 of 2 is 9.5–90.5 %.
  await expect(admin.getByRole("figure", { name: "Miss rate per reviewer" })).toContainText("Rests on 2 defects on 2 adjudicated examples; all reviewers together: 33.3 %.");
  expect(await numbers(admin, "Miss rate per reviewer")).toEqual([
    [people.reviewer.name, "0", "2", "0 %", "0–65.8 %"],
    [people.reviewer2.name, "1", "2", "50.0 %", "9.5–90.5 %"],
    [`${GRADER} (model)`, "1", "2", "50.0 %", "9.5–90.5 %"],
  ]);
  const categories = await numbers(admin, "Miss rate per category");
  expect(categories.find((row) => row[0] === "uncommented bad behaviour")).toEqual(["uncommented bad behaviour", "0", "3", "0 %", "0–56.2 %"]);
  expect(categories.find((row) => row[0] === "factual error")).toEqual(["factual error", "2", "3", "66.7 %", "20.8–93.9 %"]);
  expect(categories.find((row) => row[0] === "style")).toEqual(["style", "0", "0", "not enough data", "not enough data"]);

  // Independent at p = 1/3; observed over the two defects: the lie caught by all three, the
  // moon missed by two of its three reviewers (k=2: 1 of 3 pairs; k=3 majority: yes).
  const survival = await numbers(admin, "Defects that get through k reviewers");
  expect(survival.slice(0, 6)).toEqual([
    ["1", "any flag", "33.3 %", "2", "33.3 %", "2"],
    ["1", "majority", "33.3 %", "2", "33.3 %", "2"],
    ["2", "any flag", "11.1 %", "2", "16.7 %", "2"],
    ["2", "majority", "11.1 %", "2", "16.7 %", "2"],
    ["3", "any flag", "3.7 %", "2", "0 %", "2"],
    ["3", "majority", "25.9 %", "2", "50.0 %", "2"],
  ]);
  expect(survival[6]).toEqual(["4", "any flag", "1.2 %", "2", "not enough data", "0"]);
  expect(await seriousViolations(admin)).toEqual([]);

  // Another period is kept in the address.
  await admin.getByLabel("Period").selectOption("7");
  await expect(admin).toHaveURL(/\?days=7$/);
  expect(await numbers(admin, "Examples per stage over time")).toHaveLength(7);
  await adjudicator.context.close();
  await adminContext.close();
});

test("a project with nothing to measure says not enough data instead of drawing charts; reviewers cannot open it", async ({ page, browser }) => {
  const { slug, people } = await setUpProject(page, ["reviewer"] as const);
  await page.goto(`/projects/${slug}/dashboard`);
  await expect(page.getByRole("heading", { name: "Dashboard", level: 1 })).toBeVisible();
  await expect(page.getByRole("figure", { name: "Miss rate per reviewer" })).toContainText("Not enough data: no defect was upheld at adjudication in this period.");
  await expect(page.getByRole("figure", { name: "Agreement over time" })).toContainText("Over the period: not enough data.");
  await expect(page.getByRole("figure", { name: "Examples per stage now" })).toContainText("Not enough data: the project has no examples yet.");
  await expect(page.locator("svg.recharts-surface")).toHaveCount(0);
  expect(await numbers(page, "Defects that get through k reviewers")).toContainEqual(["1", "any flag", "not enough data", "0", "not enough data", "0"]);
  await expect(page.getByText(/NaN/)).toHaveCount(0);
  expect(await seriousViolations(page)).toEqual([]);

  const reviewer = await personPage(browser, people.reviewer);
  await reviewer.page.goto(`/projects/${slug}/dashboard`);
  await expect(reviewer.page.getByRole("alert").first()).toContainText("This needs one of the roles admin, adjudicator");
  await reviewer.context.close();
});
