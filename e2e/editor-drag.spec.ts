/**
 * Dragging a selection within the editor with the mouse: a move that would nest illegally is
 * refused with a message and the dragged text stays where it was; a legal move goes through.
 */
import { expect, test, type Page } from "@playwright/test";
import { editor, expectTaggedText, notice, openNewExample, selectBetween, setTaggedText, taggedTextView } from "./editor-steps.ts";

/** The point just inside the start of the first occurrence of `text` in the editor. */
async function pointAt(page: Page, text: string): Promise<{ x: number; y: number }> {
  return editor(page).evaluate((el, needle) => {
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const at = node.textContent!.indexOf(needle);
      if (at < 0) continue;
      const range = document.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + Math.min(needle.length, 3));
      const box = range.getBoundingClientRect();
      return { x: box.left + box.width / 2, y: box.top + box.height / 2 };
    }
    throw new Error(`No text "${needle}" in the editor`);
  }, text);
}

/** Drags from `from` to `to` with the mouse, as a person drags selected text. */
async function drag(page: Page, from: { x: number; y: number }, to: { x: number; y: number }): Promise<void> {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(from.x + 8, from.y + 2, { steps: 4 });
  await page.mouse.move(to.x, to.y, { steps: 12 });
  await page.mouse.up();
}

test.beforeEach(async ({ page }) => {
  await openNewExample(page);
  await setTaggedText(page, "Lead <AI>first span</AI> middle words <AI>second</AI> tail");
});

test("dragging text that holds an AI span into another AI span is refused, and nothing moves", async ({ page }) => {
  await selectBetween(page, "middle", "tail");
  await drag(page, await pointAt(page, "middle"), await pointAt(page, "span"));
  await expect(notice(page)).toContainText("Nothing was dropped");
  await expect(notice(page)).toContainText("`<AI>` cannot open an AI span inside an AI span");
  await expectTaggedText(page, "Lead <AI>first span</AI> middle words <AI>second</AI> tail");
});

test("dragging human text into an AI span moves it there as AI text", async ({ page }) => {
  await selectBetween(page, "middle", "words");
  await drag(page, await pointAt(page, "middle"), await pointAt(page, "span"));
  const ai = editor(page).locator('span[data-mode="ai"]').first();
  await expect(ai).toContainText("middle words");
  await expect(editor(page).locator('span[data-mode="ai"]')).toHaveCount(2);
  await expect(notice(page)).toHaveText("");
  // The words left the human text between the spans and landed inside the first span.
  await expect.poll(async () => (await taggedTextView(page)).textContent()).toMatch(/^Lead <AI>[^<]*middle words[^<]*<\/AI> +<AI>second<\/AI> tail$/);
});
