/**
 * SPEC §3: cursor movement in and out of spans, Backspace and Delete at span edges, Enter
 * inside a span, driven from the keyboard in Chromium. The mode indicator tells where the
 * cursor is, as it tells the user.
 */
import { expect, test } from "@playwright/test";
import { editor, expectTaggedText, mode, openNewExample, type } from "./editor-steps.ts";

test.beforeEach(async ({ page }) => {
  await openNewExample(page);
  await editor(page).click();
});

test("arrow keys step into and out of a span, one edge at a time", async ({ page }) => {
  await type(page, "ab");
  await page.keyboard.press("Control+Alt+a");
  await expect(mode(page)).toHaveText("AI");
  await type(page, "cd");
  await page.keyboard.press("ArrowRight");
  await expect(mode(page)).toHaveText("human");
  await type(page, "e");
  await expectTaggedText(page, "ab<AI>cd</AI>e");
  await page.keyboard.press("ArrowLeft");
  await expect(mode(page)).toHaveText("human");
  await page.keyboard.press("ArrowLeft");
  await expect(mode(page)).toHaveText("AI");
  await type(page, "X");
  await expectTaggedText(page, "ab<AI>cdX</AI>e");
  for (let i = 0; i < 3; i++) await page.keyboard.press("ArrowLeft");
  await expect(mode(page)).toHaveText("AI");
  await page.keyboard.press("ArrowLeft");
  await expect(mode(page)).toHaveText("human");
  await type(page, "Y");
  await expectTaggedText(page, "abY<AI>cdX</AI>e");
});

test("an empty span can be entered from the keyboard and typed into", async ({ page }) => {
  await type(page, "a");
  await page.keyboard.press("Control+Alt+a");
  await page.keyboard.press("ArrowRight");
  await expect(mode(page)).toHaveText("human");
  await page.keyboard.press("ArrowLeft");
  await expect(mode(page)).toHaveText("AI");
  await type(page, "in");
  await expectTaggedText(page, "a<AI>in</AI>");
});

test("Enter inside a span is a line break in the span; in human text a new line", async ({ page }) => {
  await type(page, "one");
  await page.keyboard.press("Enter");
  await type(page, "<AI>two");
  await page.keyboard.press("Enter");
  await type(page, "three");
  await expect(mode(page)).toHaveText("AI");
  await expect(editor(page).locator('span[data-mode="ai"] br')).toHaveCount(1);
  await expect(editor(page).locator("p")).toHaveCount(2);
  await expectTaggedText(page, "one\n<AI>two\nthree</AI>");
});

test("Backspace and Delete at span edges never break the structure", async ({ page }) => {
  await type(page, "ab<AI>cd</AI>ef");
  await expectTaggedText(page, "ab<AI>cd</AI>ef");
  // After "e": Backspace is ordinary; two more ArrowLefts reach the span's end.
  await page.keyboard.press("ArrowLeft");
  await page.keyboard.press("ArrowLeft");
  await expect(mode(page)).toHaveText("human");
  await page.keyboard.press("Backspace");
  await expectTaggedText(page, "ab<AI>c</AI>ef");
  await page.keyboard.press("Backspace");
  await expectTaggedText(page, "ab<AI></AI>ef");
  await page.keyboard.press("Backspace");
  await expectTaggedText(page, "abef");
  await expect(mode(page)).toHaveText("human");
  await page.keyboard.press("Control+Alt+a");
  await type(page, "xy");
  await expectTaggedText(page, "ab<AI>xy</AI>ef");
  await page.keyboard.press("Delete");
  await expectTaggedText(page, "ab<AI>xy</AI>f");
  await page.keyboard.press("ArrowLeft");
  await page.keyboard.press("ArrowLeft");
  await expect(mode(page)).toHaveText("AI");
  await page.keyboard.press("Backspace");
  await expectTaggedText(page, "a<AI>xy</AI>f");
  await page.keyboard.press("ArrowLeft");
  await expect(mode(page)).toHaveText("human");
  await page.keyboard.press("Delete");
  await expectTaggedText(page, "a<AI>y</AI>f");
});
