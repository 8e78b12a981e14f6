/**
 * Steps the editor specs share: opening a fresh example, reading the tagged text the way a
 * user can (the "Tagged text" disclosure under the editor), and clipboard and drop events
 * carrying chosen data, dispatched to the editor as the browser would.
 */
import { expect, type Locator, type Page } from "@playwright/test";
import { logIn } from "./fixtures.ts";

/**
 * Logs in, opens the demo project and creates a draft with its "New example" button, which
 * opens the new example's page; returns that page's URL.
 */
export async function openNewExample(page: Page): Promise<string> {
  await logIn(page);
  await page.goto("/projects/demo");
  await page.getByRole("button", { name: "New example" }).click();
  await expect(page).toHaveURL(/\/examples\/[^/]+$/);
  await expect(editor(page)).toBeVisible({ timeout: 30_000 });
  return page.url();
}

/** The editable element. */
export function editor(page: Page): Locator {
  return page.locator(".ProseMirror");
}

/**
 * The "Tagged text" view, opened. It is opened without a click so that the keyboard focus
 * stays in the editor, where the test goes on typing.
 */
export async function taggedTextView(page: Page): Promise<Locator> {
  await page.locator("details.tagged-text").evaluate((el) => ((el as HTMLDetailsElement).open = true));
  return page.getByLabel("Tagged text", { exact: true });
}

/** Waits until the document's tagged text is `expected` (the view follows edits after a pause). */
export async function expectTaggedText(page: Page, expected: string): Promise<void> {
  const view = await taggedTextView(page);
  // Exact characters (line breaks included), not Playwright's whitespace-normalised text match.
  await expect.poll(() => view.textContent()).toBe(expected);
}

/** Types into the editor at the current cursor, as fast as the keyboard events can go. */
export async function type(page: Page, text: string): Promise<void> {
  await page.keyboard.type(text);
}

/** Replaces the whole document with `text`, pasted as tagged plain text. */
export async function setTaggedText(page: Page, text: string): Promise<void> {
  await editor(page).click();
  await page.keyboard.press("ControlOrMeta+a");
  await paste(page, { "text/plain": text });
  await expectTaggedText(page, text);
}

/** Dispatches a paste of `data` (by MIME type) to the editor at its selection. */
export async function paste(page: Page, data: Record<string, string>): Promise<void> {
  await editor(page).evaluate((el, items) => {
    const transfer = new DataTransfer();
    for (const [type, value] of Object.entries(items)) transfer.setData(type, value);
    el.dispatchEvent(new ClipboardEvent("paste", { clipboardData: transfer, bubbles: true, cancelable: true }));
  }, data);
}

/** Copies the editor's selection the way the browser does and returns what it put on the clipboard. */
export async function copy(page: Page): Promise<{ html: string; text: string }> {
  return editor(page).evaluate((el) => {
    const transfer = new DataTransfer();
    el.dispatchEvent(new ClipboardEvent("copy", { clipboardData: transfer, bubbles: true, cancelable: true }));
    return { html: transfer.getData("text/html"), text: transfer.getData("text/plain") };
  });
}

/** Drops `data` onto the editor at the point of `target` (a locator inside the editor). */
export async function drop(page: Page, target: Locator, data: Record<string, string>): Promise<void> {
  const box = (await target.boundingBox())!;
  await editor(page).evaluate(
    (el, { items, x, y }) => {
      const transfer = new DataTransfer();
      for (const [type, value] of Object.entries(items)) transfer.setData(type, value);
      el.dispatchEvent(new DragEvent("drop", { dataTransfer: transfer, clientX: x, clientY: y, bubbles: true, cancelable: true }));
    },
    { items: data, x: box.x + box.width / 2, y: box.y + box.height / 2 },
  );
}

/** The mode indicator. */
export function mode(page: Page): Locator {
  return page.getByRole("status", { name: "Mode" });
}

/** The editor's message area (refusals and other notices). */
export function notice(page: Page): Locator {
  return page.locator(".editor-notice");
}

/**
 * Sets the DOM selection on the first occurrence of `text` in a text node of the editor:
 * either the caret just after it, or the whole of it selected.
 */
async function selectInText(page: Page, text: string, what: "caretAfter" | "range"): Promise<void> {
  await editor(page).evaluate(
    async (el, [needle, kind]) => {
      (el as HTMLElement).focus();
      const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const at = node.textContent!.indexOf(needle);
        if (at < 0) continue;
        const range = document.createRange();
        range.setStart(node, kind === "range" ? at : at + needle.length);
        range.setEnd(node, at + needle.length);
        const selection = getSelection()!;
        selection.removeAllRanges();
        // ProseMirror reads the DOM selection on "selectionchange", which comes as a task of its
        // own; wait for it, and a little longer for the editor's update.
        const changed = new Promise((done) => document.addEventListener("selectionchange", done, { once: true }));
        selection.addRange(range);
        await Promise.race([changed, new Promise((done) => setTimeout(done, 1000))]);
        await new Promise((done) => setTimeout(done, 50));
        return;
      }
      throw new Error(`No text "${needle}" in the editor`);
    },
    [text, what] as const,
  );
}

/** Moves the cursor inside the editor to just after the first occurrence of `text` in a text node. */
export function placeCursorAfter(page: Page, text: string): Promise<void> {
  return selectInText(page, text, "caretAfter");
}

/** Selects the first occurrence of `text` in a text node of the editor. */
export function selectText(page: Page, text: string): Promise<void> {
  return selectInText(page, text, "range");
}

/** Selects from the start of the first occurrence of `first` to the end of the first occurrence of `last`. */
export async function selectBetween(page: Page, first: string, last: string): Promise<void> {
  await editor(page).evaluate(
    async (el, { a, b }) => {
      (el as HTMLElement).focus();
      const find = (needle: string) => {
        const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          const at = node.textContent!.indexOf(needle);
          if (at >= 0) return { node, at };
        }
        throw new Error(`No text "${needle}" in the editor`);
      };
      const start = find(a);
      const end = find(b);
      const range = document.createRange();
      range.setStart(start.node, start.at);
      range.setEnd(end.node, end.at + b.length);
      const changed = new Promise((done) => document.addEventListener("selectionchange", done, { once: true }));
      getSelection()!.removeAllRanges();
      getSelection()!.addRange(range);
      await Promise.race([changed, new Promise((done) => setTimeout(done, 1000))]);
      await new Promise((done) => setTimeout(done, 50));
    },
    { a: first, b: last },
  );
}

/**
 * Input as an input method gives it, through the Chrome DevTools Protocol: `compose` shows each
 * of `steps` as the composition in progress (what `Input.imeSetComposition` does for a Japanese
 * or Chinese IME) and then commits `commit`; `insertText` inserts text with no key events, as
 * dictation, an emoji picker or an on-screen keyboard do.
 */
export async function compose(page: Page, steps: readonly string[], commit: string): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  for (const step of steps) await cdp.send("Input.imeSetComposition", { text: step, selectionStart: step.length, selectionEnd: step.length });
  await cdp.send("Input.insertText", { text: commit });
  await cdp.detach();
}

/** Inserts `text` at the selection without key events (see `compose`). */
export async function insertText(page: Page, text: string): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Input.insertText", { text });
  await cdp.detach();
}

/**
 * The point on screen of the caret position `offset` characters into the first occurrence of
 * `text` in a text node of the editor (the left edge of the character there, or the right edge
 * of the last one), half way down its line.
 */
export async function pointInText(page: Page, text: string, offset: number): Promise<{ x: number; y: number }> {
  return editor(page).evaluate(
    (el, [needle, at]) => {
      const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const start = node.textContent!.indexOf(needle);
        if (start < 0) continue;
        const range = document.createRange();
        const index = start + at;
        const atEnd = index >= node.textContent!.length;
        range.setStart(node, atEnd ? index - 1 : index);
        range.setEnd(node, atEnd ? index : index + 1);
        const rect = range.getClientRects()[0]!;
        return { x: atEnd ? rect.right - 0.5 : rect.left + 0.5, y: rect.top + rect.height / 2 };
      }
      throw new Error(`No text "${needle}" in the editor`);
    },
    [text, offset] as const,
  );
}

/** Selects with the mouse: presses at `from` and drags to `to` (each a text and an offset into it). */
export async function dragSelect(page: Page, from: [string, number], to: [string, number]): Promise<void> {
  const start = await pointInText(page, ...from);
  const end = await pointInText(page, ...to);
  await page.mouse.move(start.x, start.y);
  await page.mouse.down();
  await page.mouse.move(end.x, end.y, { steps: 8 });
  await page.mouse.up();
}
