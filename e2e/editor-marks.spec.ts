/**
 * Bad-behaviour marks, the mode indicator and the "show tags" view, as a user works with them.
 */
import { expect, test } from "@playwright/test";
import { editor, mode, notice, openNewExample, placeCursorAfter, selectText, setTaggedText } from "./editor-steps.ts";

test.beforeEach(async ({ page }) => {
  await openNewExample(page);
});

test("a mark starts uncommented, is linked to an AI span, and the linked span lights up", async ({ page }) => {
  await setTaggedText(page, 'She cheated him. <AI>Cheating breaks trust.</AI> <AI>He says "<AI_quoting_human>fine</AI_quoting_human>".</AI>');
  await selectText(page, "cheated him");
  await page.getByLabel("Category").selectOption("deceit");
  await page.getByRole("button", { name: "Mark bad behaviour" }).click();
  const uncommented = page.getByRole("list", { name: "Uncommented marks" });
  await expect(uncommented).toContainText("cheated him");
  await expect(editor(page).locator("mark[data-bad-behaviour]")).toHaveText("cheated him");

  await page.getByLabel("Commented by").selectOption({ label: "AI span 1: Cheating breaks trust." });
  await uncommented.getByRole("button", { name: "Link “cheated him” to the chosen AI span" }).click();
  await expect(page.getByRole("heading", { name: "Uncommented marks (0)" })).toBeVisible();
  await expect(page.getByRole("list", { name: "Commented marks" })).toContainText("commented by AI span 1");

  await placeCursorAfter(page, "chea");
  await expect(editor(page).locator(".linked-commentary")).toHaveText("Cheating breaks trust.");
  await placeCursorAfter(page, "Chea");
  await expect(editor(page).locator(".linked-commentary")).toHaveCount(0);

  // AI text cannot carry the mark.
  await selectText(page, "breaks");
  await expect(page.getByRole("button", { name: "Mark bad behaviour" })).toBeDisabled();
  // Quoted human text can.
  await page.getByLabel("Commented by").selectOption({ label: "No commentary yet" });
  await selectText(page, "fine");
  await page.getByRole("button", { name: "Mark bad behaviour" }).click();
  await expect(page.getByRole("heading", { name: "Uncommented marks (1)" })).toBeVisible();
  await page.getByRole("button", { name: "Remove mark “fine”" }).click();
  await expect(page.getByRole("heading", { name: "Uncommented marks (0)" })).toBeVisible();
});

test("the mode indicator follows the cursor and show tags writes the tags around spans", async ({ page }) => {
  await setTaggedText(page, 'Hi <AI>Yes "<AI_quoting_human>no</AI_quoting_human>"</AI>');
  await placeCursorAfter(page, "H");
  await expect(mode(page)).toHaveText("human");
  await placeCursorAfter(page, "Ye");
  await expect(mode(page)).toHaveText("AI");
  await placeCursorAfter(page, "n");
  await expect(mode(page)).toHaveText("AI quoting human");
  const before = (selector: string) => editor(page).locator(selector).first().evaluate((el) => getComputedStyle(el, "::before").content);
  expect(await before('span[data-mode="ai"]')).toBe("none");
  await page.getByRole("button", { name: "Show tags" }).click();
  await expect(page.getByRole("button", { name: "Show tags" })).toHaveAttribute("aria-pressed", "true");
  expect(await before('span[data-mode="ai"]')).toBe('"<AI>"');
  expect(await before('span[data-mode="ai_quoting_human"]')).toBe('"<AI_quoting_human>"');
  await expect(notice(page)).toHaveText("");
});
