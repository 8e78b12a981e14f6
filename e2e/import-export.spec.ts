/**
 * Import and export as an admin does them in the browser (issue 8, Done-when 4): upload a file
 * with good and bad lines on the project page and read the report, then export the accepted
 * examples, watch the progress bar finish, and download the manifest.
 */
import { readFile } from "node:fs/promises";
import { expect, test } from "@playwright/test";
import { logIn, mutate, unique } from "./fixtures.ts";

/** Three good lines (one with a commented mark) and two bad ones, as a pipeline would send them. */
function importFile(runId: string): string {
  const commented = "He kicked the dog. <AI>Kicking a dog hurts it; that was cruel.</AI>";
  const lines = [
    { id: `${runId}-1`, source: "e2e-pipeline", text: "Hello there. <AI>Hello! How can I help?</AI>" },
    {
      id: `${runId}-2`,
      source: "e2e-pipeline",
      text: commented,
      marks: [{ start: 0, end: 18, category: "violence", commentary: { start: 23, end: 62 } }],
    },
    { id: `${runId}-3`, source: "e2e-pipeline", text: "<AI>I am an AI narrating 🙂 with care.</AI>", grader: { name: "grader-x", score: 0.9, flags: [] } },
    { id: `${runId}-4`, text: "Broken <AI>never closed" },
    { id: `${runId}-5`, source: "e2e-pipeline" },
  ];
  return `${lines.map((line) => JSON.stringify(line)).join("\n")}\n`;
}

test("an admin imports a file with good and bad lines, exports the accepted examples and downloads the manifest", async ({ page }) => {
  const slug = unique("data");
  await logIn(page);
  await mutate(page, "projects.create", { slug, name: "Import and export" });
  await page.goto(`/projects/${slug}`);

  const runId = unique("line");
  await page.getByLabel("File to import").setInputFiles({ name: "candidates.jsonl", mimeType: "application/x-ndjson", buffer: Buffer.from(importFile(runId)) });
  await page.getByLabel("Import into stage").selectOption("accepted");
  await page.getByRole("button", { name: "Import", exact: true }).click();

  const report = page.getByRole("group", { name: "Import report" });
  await expect(report).toContainText("3 imported, 0 skipped, 2 rejected of 5 lines.");
  const rejected = report.getByRole("list", { name: "Rejected lines" });
  await expect(rejected.getByRole("listitem")).toHaveCount(2);
  await expect(rejected).toContainText("Line 4:");
  await expect(rejected).toContainText("Line 5:");
  const rejects = page.waitForEvent("download");
  await report.getByRole("link", { name: "Download rejects" }).click();
  const rejectsText = await readFile(await (await rejects).path(), "utf8");
  expect(rejectsText.trim().split("\n")).toHaveLength(2);

  // The imported examples are listed on the project page once the import ends, without a reload.
  await expect(page.getByRole("link", { name: /Hello there\./ })).toBeVisible();

  await page.getByRole("navigation", { name: "Project administration" }).getByRole("link", { name: "Exports" }).click();
  await expect(page.getByRole("heading", { name: "Exports" })).toBeVisible();
  // Notes whether the export's progress bar was ever on the page, however briefly.
  await page.evaluate(() => {
    const seen = () => document.querySelector('progress[aria-label="Export progress"]') !== null;
    const observer = new MutationObserver(() => {
      if (seen()) (window as unknown as { sawExportProgress: boolean }).sawExportProgress = true;
    });
    observer.observe(document.body, { childList: true, subtree: true });
  });
  // An export whose filters no example matches fails, saying so and keeping nothing; then one every example matches.
  await page.getByLabel("With a mark of").selectOption("sycophancy");
  await page.getByRole("button", { name: "Export" }).click();
  await expect(page.getByRole("alert")).toContainText(/matches the filters \(category sycophancy\), so there is nothing to export/);
  await page.getByLabel("With a mark of").selectOption("");
  await page.getByLabel("Created from").fill("2000-01-01");
  await page.getByRole("button", { name: "Export" }).click();
  // The progress bar shows while the export runs, and the snapshot replaces it when done.
  const snapshot = page.getByRole("article", { name: /^Snapshot of / });
  await expect(snapshot).toBeVisible({ timeout: 60_000 });
  await expect(page.getByRole("progressbar", { name: "Export progress" })).toHaveCount(0);
  expect(await page.evaluate(() => (window as unknown as { sawExportProgress?: boolean }).sawExportProgress)).toBe(true);
  await expect(snapshot).toContainText("3 examples");
  await expect(snapshot).toContainText("Only examples with created 2000-01-01 to now");

  const download = page.waitForEvent("download");
  await snapshot.getByRole("link", { name: "manifest.json" }).click();
  const manifest = JSON.parse(await readFile(await (await download).path(), "utf8")) as {
    shards: Array<{ path: string; records: number; sha256: string }>;
  };
  const records = manifest.shards.filter((shard) => shard.path.endsWith(".jsonl")).reduce((sum, shard) => sum + shard.records, 0);
  expect(records).toBe(3);
  for (const shard of manifest.shards) await expect(snapshot.getByText(shard.sha256)).toBeVisible();
});
