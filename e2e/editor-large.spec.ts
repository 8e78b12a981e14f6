/**
 * Bad input of the large kind: pasting the largest text an example may hold. Valid text is taken
 * whole; invalid text is refused with the place of the problem, and nothing changes; so is text
 * that would make the example larger than the server saves (the core's DOCUMENT_LIMITS).
 */
import { expect, test } from "@playwright/test";
import { editor, expectTaggedText, notice, openNewExample, paste, taggedTextView } from "./editor-steps.ts";

// Playwright's trace snapshots the whole DOM after every step, which with this much text
// is what would be slow (the editor is not), so this file runs without it.
test.use({ trace: "off" });

test("pasting the most an example holds: valid text is taken whole, invalid text is refused with where the problem is", async ({ page }) => {
  await openNewExample(page);
  const line = "They talked for hours about nothing at all, and then <AI>the AI summed it up kindly.</AI>";
  // 1,200 lines: just under the 100,000 characters and 8,000 parts one example may hold.
  const big = Array.from({ length: 1_200 }, () => line).join("\n");
  expect(big.length).toBeGreaterThan(100_000);
  await editor(page).click();
  await paste(page, { "text/plain": big + "\nand then <AI_quoting_human>oops</AI_quoting_human>" });
  await expect(notice(page)).toContainText("Line 1201, column 10: `<AI_quoting_human>` can only be used in an AI span");
  await expectTaggedText(page, "");
  await paste(page, { "text/plain": big });
  await expect(editor(page).locator("p")).toHaveCount(1_200);
  await expect.poll(async () => (await (await taggedTextView(page)).textContent())?.length).toBe(big.length);
});

test("a paste that would make the example larger than the server can save is refused, and nothing changes", async ({ page }) => {
  await openNewExample(page);
  await editor(page).click();
  await paste(page, { "text/plain": "Kept." });
  await expectTaggedText(page, "Kept.");
  await paste(page, { "text/plain": "x".repeat(9 * 1024 * 1024) });
  await expect(notice(page)).toContainText("Nothing was pasted (the clipboard still holds it): the example would then be too large to save: it would hold more than 100,000 characters");
  await expectTaggedText(page, "Kept.");
  // Within the characters, over the parts: 3,000 lines of one AI span each.
  await paste(page, { "text/plain": Array.from({ length: 3_000 }, () => "<AI>a</AI>").join("\n") });
  await expect(notice(page)).toContainText("too large to save: The document has more than 8,000 parts");
  await expectTaggedText(page, "Kept.");
});
