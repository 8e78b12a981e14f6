/**
 * Done-when 1 of the editor: every input path tries to create illegal nesting; each leaves a
 * valid document (read back as tagged text, which the codec writes only for a valid document)
 * and shows the user a message.
 */
import { expect, test } from "@playwright/test";
import { copy, drop, selectBetween, editor, expectTaggedText, mode, notice, openNewExample, paste, placeCursorAfter, selectText, setTaggedText, type } from "./editor-steps.ts";

test.beforeEach(async ({ page }) => {
  await openNewExample(page);
});

test("typing: a legal tag becomes a span, an illegal one is refused with a message", async ({ page }) => {
  await editor(page).click();
  await type(page, "Hello <AI>");
  await expect(mode(page)).toHaveText("AI");
  await type(page, "hi</AI> there <AI_quoting_human>");
  await expect(notice(page)).toContainText("can only be used in an AI span");
  await expect(mode(page)).toHaveText("human");
  await expectTaggedText(page, "Hello <AI>hi</AI> there <AI_quoting_human");
  await expect(editor(page).locator('span[data-mode="ai"]')).toHaveText("hi");
});

test("toolbar: illegal commands are disabled and say why when clicked", async ({ page }) => {
  await setTaggedText(page, "A man lies. <AI>He says trust me.</AI>");
  await selectText(page, "trust me");
  await expect(page.getByRole("button", { name: "Wrap in AI" })).toBeDisabled();
  await page.getByRole("button", { name: "Wrap in AI" }).click({ force: true });
  await expect(notice(page)).toContainText("An AI span can only be made in human text");
  await expectTaggedText(page, "A man lies. <AI>He says trust me.</AI>");
  await expect(page.getByRole("button", { name: "Quote human" })).toBeEnabled();
  await page.getByRole("button", { name: "Quote human" }).click();
  await expectTaggedText(page, "A man lies. <AI>He says <AI_quoting_human>trust me</AI_quoting_human>.</AI>");
  await selectText(page, "man");
  await expect(page.getByRole("button", { name: "Quote human" })).toBeDisabled();
  await expect(page.getByRole("button", { name: "Unwrap" })).toBeDisabled();
  await page.getByRole("button", { name: "Quote human" }).click({ force: true });
  await expect(notice(page)).toContainText("can only be made in an AI span");
  await expectTaggedText(page, "A man lies. <AI>He says <AI_quoting_human>trust me</AI_quoting_human>.</AI>");
});

test("shortcuts: wrapping inside an AI span is refused with a message; legal ones work", async ({ page }) => {
  await setTaggedText(page, "Hi <AI>there</AI>");
  await selectText(page, "her");
  await page.keyboard.press("Control+Alt+a");
  await expect(notice(page)).toContainText("An AI span can only be made in human text");
  await expectTaggedText(page, "Hi <AI>there</AI>");
  await page.keyboard.press("Control+Alt+q");
  await expectTaggedText(page, "Hi <AI>t<AI_quoting_human>her</AI_quoting_human>e</AI>");
  await page.keyboard.press("Control+Alt+u");
  await expectTaggedText(page, "Hi <AI>there</AI>");
  await page.keyboard.press("Control+Alt+u");
  await expectTaggedText(page, "Hi there");
  await page.keyboard.press("Control+Alt+u");
  await expect(notice(page)).toContainText("no span to unwrap");
});

test("paste of tagged text: read in the mode where it lands, refused where illegal", async ({ page }) => {
  await setTaggedText(page, "Start <AI>inside</AI>");
  await placeCursorAfter(page, "ins");
  await paste(page, { "text/plain": "<AI>nested</AI> and <AI>more</AI>" });
  await expect(notice(page)).toContainText("Nothing was pasted");
  await expect(notice(page)).toContainText("`<AI>` cannot open an AI span inside an AI span");
  await expectTaggedText(page, "Start <AI>inside</AI>");
  await paste(page, { "text/plain": "<AI>copied</AI>" });
  await expectTaggedText(page, "Start <AI>inscopiedide</AI>");
  await placeCursorAfter(page, "Sta");
  await paste(page, { "text/plain": "X<AI>y</AI>Z" });
  await expectTaggedText(page, "StaX<AI>y</AI>Zrt <AI>inscopiedide</AI>");
});

test("paste of the editor's own HTML keeps structure; where it cannot fit it is refused", async ({ page }) => {
  await setTaggedText(page, 'Human. <AI>He said "<AI_quoting_human>go</AI_quoting_human>" loudly</AI>');
  await selectBetween(page, "Human.", "loudly");
  const copied = await copy(page);
  expect(copied.text).toBe('Human. <AI>He said "<AI_quoting_human>go</AI_quoting_human>" loudly</AI>');
  expect(copied.html).toContain('data-mode="ai_quoting_human"');
  await placeCursorAfter(page, "He said");
  await paste(page, { "text/html": copied.html, "text/plain": copied.text });
  await expect(notice(page)).toContainText("Nothing was pasted");
  await expectTaggedText(page, 'Human. <AI>He said "<AI_quoting_human>go</AI_quoting_human>" loudly</AI>');
  await selectText(page, "He said");
  const inner = await copy(page);
  expect(inner.text).toBe("<AI>He said</AI>");
  await placeCursorAfter(page, "loudly");
  await paste(page, { "text/html": inner.html, "text/plain": inner.text });
  await expectTaggedText(page, 'Human. <AI>He said "<AI_quoting_human>go</AI_quoting_human>" loudlyHe said</AI>');
});

test("paste of foreign HTML: its text is read as tagged text", async ({ page }) => {
  await setTaggedText(page, "<AI>x</AI>");
  await placeCursorAfter(page, "x");
  await paste(page, { "text/html": "<ul><li>one</li><li>two &lt;AI&gt;</li></ul>" });
  await expect(notice(page)).toContainText("Nothing was pasted");
  await expectTaggedText(page, "<AI>x</AI>");
  await paste(page, { "text/html": "<ul><li>one</li><li><b>two</b></li></ul>" });
  await expectTaggedText(page, "<AI>xone\ntwo</AI>");
});

test("drag and drop: illegal nesting is refused with a message, legal content lands", async ({ page }) => {
  await setTaggedText(page, "Plain human words here");
  const target = editor(page).locator("p").first();
  await drop(page, target, { "text/plain": "<AI_quoting_human>quote</AI_quoting_human>" });
  await expect(notice(page)).toContainText("Nothing was dropped");
  await expectTaggedText(page, "Plain human words here");
  await drop(page, target, { "text/plain": "<AI>dropped</AI>" });
  await expect(editor(page).locator('span[data-mode="ai"]')).toHaveText("dropped");
  await expect(notice(page)).toHaveText("");
});

test("undo and redo only ever go through valid documents, and say when there is nothing left", async ({ page }) => {
  await editor(page).click();
  await type(page, "ab");
  await page.keyboard.press("Control+Alt+a");
  await type(page, "cd");
  await page.keyboard.press("Control+Alt+q");
  await type(page, "q");
  await expectTaggedText(page, "ab<AI>cd<AI_quoting_human>q</AI_quoting_human></AI>");
  const seen: string[] = [];
  for (let i = 0; i < 10; i++) {
    await page.keyboard.press("Control+z");
    if ((await notice(page).textContent())?.includes("Nothing to undo")) break;
    seen.push("undo");
  }
  await expect(notice(page)).toContainText("Nothing to undo");
  await expectTaggedText(page, "");
  for (let i = 0; i < seen.length; i++) await page.keyboard.press("Control+Shift+z");
  await expectTaggedText(page, "ab<AI>cd<AI_quoting_human>q</AI_quoting_human></AI>");
  await page.keyboard.press("Control+y");
  await expect(notice(page)).toContainText("Nothing to redo");
});

