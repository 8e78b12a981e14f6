/**
 * Selections and deletions at span edges as people make them: a mouse drag across an edge and
 * typing over it, word deletion with Ctrl-Backspace and Ctrl-Delete next to a span, and a
 * triple click on one line of a span that runs over several lines.
 */
import { expect, test, type Page } from "@playwright/test";
import { compose, dragSelect, editor, expectTaggedText, insertText, mode, openNewExample, placeCursorAfter, pointInText, setTaggedText } from "./editor-steps.ts";

test.beforeEach(async ({ page }) => {
  await openNewExample(page);
});

test("typing over a mouse selection that crosses a span edge puts the words on the side where the selection starts", async ({ page }) => {
  await setTaggedText(page, "He says <AI>I will help.</AI> after");
  await dragSelect(page, ["He says ", 3], ["I will help.", 2]);
  await page.keyboard.type("Quick", { delay: 150 });
  await expectTaggedText(page, "He Quick<AI>will help.</AI> after");
  await expect(mode(page)).toHaveText("human");

  await setTaggedText(page, "He says <AI>I will help.</AI> after");
  await dragSelect(page, ["I will help.", 7], [" after", 3]);
  await page.keyboard.type("Quick", { delay: 150 });
  await expectTaggedText(page, "He says <AI>I will Quick</AI>ter");
  await expect(mode(page)).toHaveText("AI");
});

test("an input method or dictation over a selection from a span's start to past its end lands in the span", async ({ page }) => {
  for (const [input, inserted] of [
    [(p: Page) => compose(p, ["く", "くい", "クイック"], "クイック"), "クイック"],
    [(p: Page) => insertText(p, "soon"), "soon"],
  ] as const) {
    await setTaggedText(page, "He says <AI>I will help.</AI> after");
    await placeCursorAfter(page, "He says ");
    await page.keyboard.press("ArrowRight");
    await expect(mode(page)).toHaveText("AI");
    await page.keyboard.press("Shift+End");
    // The editor has taken the selection in once quoting is no longer possible (it crosses an edge).
    await expect(page.getByRole("button", { name: "Quote human" })).toHaveAttribute("aria-disabled", "true");
    await input(page);
    await expectTaggedText(page, `He says <AI>${inserted}</AI>`);
    await expect(mode(page)).toHaveText("AI");
  }
});

test("Ctrl-Backspace and Ctrl-Delete next to a span delete a word and stop at the span's edge", async ({ page }) => {
  await setTaggedText(page, "Hello <AI>I am here</AI> Bye.");
  await placeCursorAfter(page, "I am here");
  await page.keyboard.press("ArrowRight");
  await expect(mode(page)).toHaveText("human");
  await page.keyboard.press("Control+Backspace");
  await expectTaggedText(page, "Hello <AI>I am </AI> Bye.");
  await page.keyboard.press("Control+Backspace");
  await expectTaggedText(page, "Hello <AI>I </AI> Bye.");
  await expect(mode(page)).toHaveText("human");

  await setTaggedText(page, "Hello <AI>I am here</AI> Bye.");
  await placeCursorAfter(page, "Hello ");
  await expect(mode(page)).toHaveText("human");
  await page.keyboard.press("Control+Delete");
  await expectTaggedText(page, "Hello <AI> am here</AI> Bye.");
  await expect(mode(page)).toHaveText("human");

  // From the end of the line, word by word: the space after the span goes first, then the
  // span's last word, never the span itself.
  await setTaggedText(page, "Hello <AI>I am here</AI> Bye.");
  await placeCursorAfter(page, " Bye.");
  await page.keyboard.press("Control+Backspace");
  await expectTaggedText(page, "Hello <AI>I am here</AI> ");
  await page.keyboard.press("Control+Backspace");
  await expectTaggedText(page, "Hello <AI>I am here</AI>");
  await page.keyboard.press("Control+Backspace");
  await expectTaggedText(page, "Hello <AI>I am </AI>");
});

test("a triple click on one line of a span over several lines selects that line", async ({ page }) => {
  await setTaggedText(page, "Intro <AI>first line\nsecond line\nthird line</AI> end");
  const point = await pointInText(page, "second line", 3);
  await page.mouse.click(point.x, point.y, { clickCount: 3 });
  await page.keyboard.press("Delete");
  await expectTaggedText(page, "Intro <AI>first line\n\nthird line</AI> end");

  await setTaggedText(page, "Intro <AI>first line\nsecond line\nthird line</AI> end");
  const last = await pointInText(page, "third line", 2);
  await page.mouse.click(last.x, last.y, { clickCount: 3 });
  await page.keyboard.type("3rd", { delay: 150 });
  await expectTaggedText(page, "Intro <AI>first line\nsecond line\n3rd</AI>");
  await expect(mode(page)).toHaveText("AI");
});
