/**
 * Bad input of the large kind: pasting megabytes. Valid text is taken whole; invalid text is
 * refused with the place of the problem, and nothing changes; so is text that would make the
 * example larger than the server can save.
 */
import { expect, test } from "@playwright/test";
import { editor, expectTaggedText, notice, openNewExample, paste, taggedTextView } from "./editor-steps.ts";

// Playwright's trace snapshots the whole DOM after every step, which with a megabyte of text
// is what would be slow (the editor is not), so this file runs without it.
test.use({ trace: "off" });

test("pasting megabytes: valid text is taken whole, invalid text is refused with where the problem is", async ({ page }) => {
  await openNewExample(page);
  const line = "They talked for hours about nothing at all, and then <AI>the AI summed it up kindly.</AI>";
  const big = Array.from({ length: 12_000 }, () => line).join("\n");
  expect(big.length).toBeGreaterThan(1_000_000);
  await editor(page).click();
  await paste(page, { "text/plain": big + "\nand then <AI_quoting_human>oops</AI_quoting_human>" });
  await expect(notice(page)).toContainText("Line 12001, column 10: `<AI_quoting_human>` can only be used in an AI span");
  await expectTaggedText(page, "");
  await paste(page, { "text/plain": big });
  await expect(editor(page).locator("p")).toHaveCount(12_000);
  await expect.poll(async () => (await (await taggedTextView(page)).textContent())?.length).toBe(big.length);
});

test("a paste that would make the example larger than the server can save is refused, and nothing changes", async ({ page }) => {
  await openNewExample(page);
  await editor(page).click();
  await paste(page, { "text/plain": "Kept." });
  await expectTaggedText(page, "Kept.");
  await paste(page, { "text/plain": "x".repeat(9 * 1024 * 1024) });
  await expect(notice(page)).toContainText("Nothing was pasted (the clipboard still holds it): the example would then be larger than the 8 MB it can be saved with");
  await expectTaggedText(page, "Kept.");
});
