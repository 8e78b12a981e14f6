/**
 * Done-when 2, 3 and 5 of the editor: a saved document reloads identically and its tagged text
 * is the server's; two tabs editing one example get the conflict view and lose nothing; an
 * autosave during a network outage is recovered after a reload; the page passes axe-core.
 * Also what goes wrong around saving: coming back to an example, a save the server refuses, a
 * newer revision that cannot be loaded, a revision the page cannot show.
 */
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page, type Route } from "@playwright/test";
import { logIn, unique } from "./fixtures.ts";
import { editor, expectTaggedText, openNewExample, placeCursorAfter, selectText, setTaggedText, taggedTextView, type } from "./editor-steps.ts";

function saveStatus(page: Page) {
  return page.getByRole("status", { name: "Save status" });
}

/** Requests to the tRPC procedure `name` (alone or in a batch). */
function calls(name: string) {
  return (url: URL) => url.pathname.startsWith("/trpc/") && url.pathname.split("/").pop()!.split(",").includes(name);
}

/** URL matchers for `page.route` (`page.unroute` needs the same function again). */
const saves = calls("examples.save");
const gets = calls("examples.get");

test.beforeEach(async ({ page }) => {
  // Reloading with unsaved text asks first (beforeunload); the tests say yes, as a user would.
  page.on("dialog", (dialog) => void dialog.accept());
});

test("a saved document reloads identically, and its tagged text is what the server stored", async ({ page }) => {
  await openNewExample(page);
  const text = 'He lied to her.\n<AI>He lied: that harms her trust. He says "<AI_quoting_human>I never</AI_quoting_human>" and stops.</AI>\nEnd.';
  await setTaggedText(page, text);
  await selectText(page, "lied to her");
  await page.getByLabel("Category").selectOption("deceit");
  await page.getByLabel("Commented by").selectOption({ index: 1 });
  await page.getByRole("button", { name: "Mark bad behaviour" }).click();
  await expect(page.getByRole("list", { name: "Commented marks" })).toContainText("lied to her");
  await expect(saveStatus(page)).toContainText("Saved as revision");
  // The highlight of the span linked to the mark under the cursor is not part of the document.
  const rendered = async () => (await editor(page).innerHTML()).replace(/ class="linked-commentary"/g, "");
  const html = await rendered();
  await page.reload();
  await expectTaggedText(page, text);
  expect(await rendered()).toBe(html);
  await expect(page.getByRole("list", { name: "Commented marks" })).toContainText("lied to her");
  // Comparing the newest revision with itself shows the text the server stored.
  const newest = await page.getByLabel("with revision").inputValue();
  await page.getByLabel("Compare revision").selectOption(newest);
  await expect.poll(() => page.getByLabel("Changes between the revisions").textContent()).toBe(text);
});

test("two tabs: the second save gets the conflict view and neither tab's text is lost", async ({ page, context }) => {
  const url = await openNewExample(page);
  await editor(page).click();
  await type(page, "Shared start.");
  await expect(saveStatus(page)).toContainText("Saved as revision");
  const other = await context.newPage();
  other.on("dialog", (dialog) => void dialog.accept());
  await other.goto(url);
  await expectTaggedText(other, "Shared start.");

  await placeCursorAfter(page, "start.");
  await type(page, " First tab.");
  await expect(saveStatus(page)).toContainText("Saved as revision 3");
  await placeCursorAfter(other, "start.");
  await type(other, " Second tab.");
  await expect(other.getByRole("heading", { name: "Someone saved a newer version while you were editing" })).toBeVisible();
  await expect(other.getByLabel("Your text")).toHaveText("Shared start. Second tab.");
  await expect(other.getByLabel("Newer revision")).toHaveText("Shared start. First tab.");
  await other.getByRole("button", { name: "Keep mine" }).click();
  await expect(saveStatus(other)).toContainText("Saved as revision 4");

  await page.reload();
  await expectTaggedText(page, "Shared start. Second tab.");
  // Revision 3 (the first tab's save) compared with itself shows its whole text.
  await page.getByLabel("Compare revision").selectOption({ label: "Revision 3" });
  await page.getByLabel("with revision").selectOption({ label: "Revision 3" });
  await expect(page.getByLabel("Changes between the revisions")).toHaveText("Shared start. First tab.");
  await expect(page.getByRole("region", { name: "History" }).getByRole("row")).toHaveCount(5);
});

test("autosave during a network outage keeps the text, and it is saved after a reload", async ({ page }) => {
  const url = await openNewExample(page);
  await editor(page).click();
  await type(page, "Before the outage.");
  await expect(saveStatus(page)).toContainText("Saved as revision");
  await page.route("**/trpc/examples.save**", (route) => route.abort("internetdisconnected"));
  await type(page, " Written offline.");
  await expect(saveStatus(page)).toContainText("Not saved");
  await expect(saveStatus(page)).toContainText("kept in this browser");
  await page.goto(url);
  await expect(page.getByText("Unsaved changes kept in this browser were restored")).toBeVisible();
  await expectTaggedText(page, "Before the outage. Written offline.");
  await expect(saveStatus(page)).toContainText("Not saved");
  await page.unroute("**/trpc/examples.save**");
  // The next retry (after at most a few seconds) goes through.
  await expect(saveStatus(page)).toContainText("Saved as revision", { timeout: 20_000 });
  await page.reload();
  await expectTaggedText(page, "Before the outage. Written offline.");
  await expect(page.getByText("Unsaved changes kept in this browser were restored")).toHaveCount(0);
});

test("an expired session during autosave: the user is told, the text is kept, and saving resumes after logging in", async ({ page, context }) => {
  await openNewExample(page);
  await editor(page).click();
  await type(page, "Before expiry.");
  await expect(saveStatus(page)).toContainText("Saved as revision");
  await context.clearCookies();
  await type(page, " After expiry.");
  await expect(saveStatus(page)).toContainText("Your session has expired");
  await expect(saveStatus(page)).toContainText("kept in this browser");
  const login = await context.newPage();
  await logIn(login);
  await expect(saveStatus(page)).toContainText("Saved as revision", { timeout: 20_000 });
  await login.goto(page.url());
  await expectTaggedText(login, "Before expiry. After expiry.");
});

test("leaving the page inside the app saves at once, without waiting for the pause", async ({ page }) => {
  const url = await openNewExample(page);
  await editor(page).click();
  await type(page, "Written just before leaving.");
  await page.getByRole("link", { name: "Projects" }).click();
  await expect(page).not.toHaveURL(url);
  await page.goto(url);
  await expectTaggedText(page, "Written just before leaving.");
  await expect(page.getByText("Unsaved changes kept in this browser were restored")).toHaveCount(0);
});

test("a draft kept from an older revision comes back as a conflict to resolve", async ({ page, browser }) => {
  const url = await openNewExample(page);
  await editor(page).click();
  await type(page, "Base.");
  await expect(saveStatus(page)).toContainText("Saved as revision 2");
  await page.route("**/trpc/examples.save**", (route) => route.abort("internetdisconnected"));
  await type(page, " Mine, offline.");
  await expect(saveStatus(page)).toContainText("Not saved");

  // Someone else, in another browser (which does not share this one's drafts).
  const elsewhere = await browser.newContext();
  const other = await elsewhere.newPage();
  await logIn(other);
  await other.goto(url);
  await placeCursorAfter(other, "Base.");
  await type(other, " Theirs.");
  await expect(saveStatus(other)).toContainText("Saved as revision 3");
  await elsewhere.close();

  await page.unroute("**/trpc/examples.save**");
  await page.goto(url);
  await expect(page.getByText("They were made on an older revision")).toBeVisible();
  await expect(page.getByLabel("Your text")).toHaveText("Base. Mine, offline.");
  await expect(page.getByLabel("Newer revision")).toHaveText("Base. Theirs.");
  await page.getByRole("button", { name: "Take theirs" }).click();
  await expectTaggedText(page, "Base. Theirs.");
  await page.reload();
  await expectTaggedText(page, "Base. Theirs.");
  await expect(page.getByText("Unsaved changes kept in this browser were restored")).toHaveCount(0);
});

test("coming back to an example through the project shows the newest text, and the next edit saves without a conflict", async ({ page }) => {
  await openNewExample(page);
  const marker = unique("return");
  await editor(page).click();
  await type(page, `${marker} first.`);
  await expect(saveStatus(page)).toContainText("Saved as revision 2");
  await page.getByRole("main").getByRole("link", { name: "Demo" }).click();
  await page.getByRole("link", { name: marker }).click();
  await expectTaggedText(page, `${marker} first.`);
  await placeCursorAfter(page, "first.");
  await type(page, " Then more.");
  await expect(saveStatus(page)).toContainText("Saved as revision 3");
  await expect(page.getByRole("heading", { name: "Someone saved a newer version while you were editing" })).toHaveCount(0);
  await page.reload();
  await expectTaggedText(page, `${marker} first. Then more.`);
});

test("a save the server refuses as too large shows its message, is not retried, and the text stays in the browser", async ({ page }) => {
  const url = await openNewExample(page);
  let sent = 0;
  await page.route(saves, (route: Route) => {
    sent++;
    const message = "The example is larger than the 10 MB a save may carry.";
    const error = { message, code: -32600, data: { code: "PAYLOAD_TOO_LARGE", httpStatus: 413, path: "examples.save" } };
    return route.fulfill({ status: 413, contentType: "application/json", body: JSON.stringify([{ error }]) });
  });
  await editor(page).click();
  await type(page, "Refused.");
  await expect(saveStatus(page)).toContainText("Not saved: The example is larger than the 10 MB a save may carry.");
  await expect(saveStatus(page)).toContainText("kept in this browser");
  // A retry would have come after 1 s, then 2 s.
  await page.waitForTimeout(4000);
  expect(sent).toBe(1);
  await page.unroute(saves);
  await page.goto(url);
  await expect(page.getByText("Unsaved changes kept in this browser were restored")).toBeVisible();
  await expectTaggedText(page, "Refused.");
  await expect(saveStatus(page)).toContainText("Saved as revision 2");
});

test("when the newer revision of a conflict cannot be loaded, the user is told and can try again", async ({ page, context }) => {
  const url = await openNewExample(page);
  const other = await context.newPage();
  other.on("dialog", (dialog) => void dialog.accept());
  await other.goto(url);
  await expect(editor(other)).toBeVisible();
  await editor(page).click();
  await type(page, "First tab.");
  await expect(saveStatus(page)).toContainText("Saved as revision 2");

  await other.route(gets, (route: Route) => route.abort("internetdisconnected"));
  await editor(other).click();
  await type(other, "Second tab.");
  const failure = other.getByRole("alert").filter({ hasText: "The newer revision could not be loaded" });
  await expect(failure).toBeVisible({ timeout: 20_000 });
  await other.unroute(gets);
  await failure.getByRole("button", { name: "Try again" }).click();
  await expect(other.getByRole("heading", { name: "Someone saved a newer version while you were editing" })).toBeVisible();
  await expect(other.getByLabel("Your text")).toHaveText("Second tab.");
  await expect(other.getByLabel("Newer revision")).toHaveText("First tab.");
});

test("a revision the page cannot show is reported with a reload, and the unsaved text survives it", async ({ page }) => {
  const url = await openNewExample(page);
  await editor(page).click();
  await type(page, "Saved.");
  await expect(saveStatus(page)).toContainText("Saved as revision 2");
  await page.route(saves, (route: Route) => route.abort("internetdisconnected"));
  await type(page, " Kept offline.");
  await expect(saveStatus(page)).toContainText("kept in this browser");

  // The server answers with a document this version of the app cannot read.
  await page.route(gets, async (route: Route) => {
    const response = await route.fetch();
    const body = (await response.json()) as Array<{ result?: { data?: { head?: { doc: unknown; text: string } } } }>;
    for (const item of body) {
      const head = item.result?.data?.head;
      if (head) Object.assign(head, { doc: { type: "doc", content: [{ type: "hologram" }] }, text: "<hologram>" });
    }
    await route.fulfill({ response, json: body });
  });
  await page.goto(url);
  const failure = page.getByRole("alert").filter({ hasText: "This page could not be shown" });
  await expect(failure).toContainText("hologram");
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();

  await page.unroute(gets);
  await page.unroute(saves);
  await failure.getByRole("button", { name: "Reload the page" }).click();
  await expect(page.getByText("Unsaved changes kept in this browser were restored")).toBeVisible();
  await expectTaggedText(page, "Saved. Kept offline.");
  await expect(saveStatus(page)).toContainText("Saved as revision 3");
});

test("the example page has no serious or critical accessibility violations", async ({ page }) => {
  await openNewExample(page);
  await setTaggedText(page, 'A man lies. <AI>He lies; "<AI_quoting_human>trust me</AI_quoting_human>" he says.</AI>');
  await selectText(page, "man lies");
  await page.getByRole("button", { name: "Mark bad behaviour" }).click();
  await taggedTextView(page);
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)).toEqual([]);
});
