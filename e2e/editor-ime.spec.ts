/**
 * Text as it really arrives. Text that comes without ordinary key presses (an input method's
 * composition, dictation, an emoji picker, characters the keyboard layout does not have) lands
 * where the Mode indicator says, at span edges too, where "just inside a span" and "just outside
 * it" look the same to the browser; driven through the Chrome DevTools Protocol as a real input
 * method drives Chromium. A tag typed through an input method makes its span without a false
 * refusal, messages last only until the next edit that goes through, and pasted plain text takes
 * the document's line breaks.
 */
import { expect, test, type Page } from "@playwright/test";
import { compose, editor, expectTaggedText, insertText, mode, notice, openNewExample, paste, placeCursorAfter, setTaggedText, type } from "./editor-steps.ts";

test.beforeEach(async ({ page }) => {
  await openNewExample(page);
});

/** A place at a span edge, reached from the keyboard as a person would, and the mode shown there. */
interface Edge {
  name: string;
  text: string;
  reach: (page: Page) => Promise<void>;
  mode: string;
  /** The tagged text after inserting there, with `@` standing for what was inserted. */
  expected: string;
}

const EDGES: Edge[] = [
  {
    name: "just inside a span's start",
    text: "Hello <AI>I am AI.</AI> Bye.",
    reach: async (page) => {
      await placeCursorAfter(page, "Hello ");
      await page.keyboard.press("ArrowRight");
    },
    mode: "AI",
    expected: "Hello <AI>@I am AI.</AI> Bye.",
  },
  {
    name: "just outside a span's end",
    text: "Hello <AI>I am AI.</AI> Bye.",
    reach: async (page) => {
      await placeCursorAfter(page, "I am AI.");
      await page.keyboard.press("ArrowRight");
    },
    mode: "human",
    expected: "Hello <AI>I am AI.</AI>@ Bye.",
  },
  {
    name: "at the very start, before a span",
    text: "<AI>Start span</AI> tail",
    reach: async (page) => {
      await placeCursorAfter(page, "S");
      await page.keyboard.press("ArrowLeft");
      await page.keyboard.press("ArrowLeft");
    },
    mode: "human",
    expected: "@<AI>Start span</AI> tail",
  },
  {
    name: "just inside a span's end",
    text: "Hello <AI>I am AI.</AI> Bye.",
    reach: async (page) => {
      await placeCursorAfter(page, "I am AI.");
    },
    mode: "AI",
    expected: "Hello <AI>I am AI.@</AI> Bye.",
  },
  {
    name: "inside an empty span",
    text: "a<AI></AI>b",
    reach: async (page) => {
      await placeCursorAfter(page, "a");
      await page.keyboard.press("ArrowRight");
    },
    mode: "AI",
    expected: "a<AI>@</AI>b",
  },
];

/** Inserts at each edge with `input` and checks that the text lands on the side the Mode indicator showed. */
async function atEveryEdge(page: Page, inserted: string, input: (page: Page) => Promise<void>): Promise<void> {
  for (const edge of EDGES) {
    await test.step(edge.name, async () => {
      await setTaggedText(page, edge.text);
      await edge.reach(page);
      await expect(mode(page)).toHaveText(edge.mode);
      await input(page);
      await expectTaggedText(page, edge.expected.replace("@", inserted));
      await expect(mode(page)).toHaveText(edge.mode);
    });
  }
}

test("an input method's composition lands on the side of the span edge the Mode indicator shows", async ({ page }) => {
  await editor(page).click();
  await atEveryEdge(page, "日本", (p) => compose(p, ["に", "にほ", "にほん", "日本"], "日本"));
});

test("text inserted without keys (dictation, emoji picker) lands on the side the Mode indicator shows", async ({ page }) => {
  await editor(page).click();
  await atEveryEdge(page, "Yes 👍", (p) => insertText(p, "Yes 👍"));
});

test("a character the keyboard layout lacks (é) lands on the side the Mode indicator shows", async ({ page }) => {
  await editor(page).click();
  await atEveryEdge(page, "é", (p) => p.keyboard.type("é"));
});

test("an opening tag typed through an input method becomes a span, with no refusal shown", async ({ page }) => {
  await editor(page).click();
  await type(page, "Hello ");
  await compose(page, ["<", "<A", "<AI", "<AI>"], "<AI>");
  await expect(mode(page)).toHaveText("AI");
  await compose(page, ["や"], "や");
  await expectTaggedText(page, "Hello <AI>や</AI>");
  await expect(mode(page)).toHaveText("AI");
  await expect(notice(page)).toHaveText("");
});

test("a message lasts until the next edit that goes through", async ({ page }) => {
  await editor(page).click();
  await page.keyboard.press("Control+z");
  await expect(notice(page)).toContainText("Nothing to undo.");
  await type(page, "He said ");
  await expect(notice(page)).toHaveText("");
  await type(page, "<AI_quoting_human>");
  await expect(notice(page)).toContainText("can only be used in an AI span");
  await type(page, "hi");
  await expect(notice(page)).toHaveText("");
  await page.keyboard.press("Control+Alt+q");
  await expect(notice(page)).toContainText("can only be made in an AI span");
  await page.keyboard.press("Control+Alt+a");
  await expect(notice(page)).toHaveText("");
  await expectTaggedText(page, "He said <AI_quoting_humanhi<AI></AI>");
});

test("pasted plain text takes the document's line breaks, and control characters become spaces", async ({ page }) => {
  await setTaggedText(page, "First line\r\nSecond <AI>AI words</AI>");
  await placeCursorAfter(page, "AI words");
  await paste(page, { "text/plain": " x\ry\nz\vw\u0000v" });
  await expectTaggedText(page, "First line\r\nSecond <AI>AI words x\r\ny\r\nz w v</AI>");
  await placeCursorAfter(page, "First line");
  await paste(page, { "text/plain": "\np\r\nq\f" });
  await expectTaggedText(page, "First line\r\np\r\nq \r\nSecond <AI>AI words x\r\ny\r\nz w v</AI>");
});
