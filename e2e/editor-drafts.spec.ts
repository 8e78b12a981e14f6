/**
 * Unsaved text kept in the browser belongs to the person who wrote it: the next person to log in
 * on the same browser does not get it, and someone who may no longer edit the example is offered
 * it to copy instead of having it put into a read-only editor and sent again and again.
 */
import { expect, test, type Browser, type Page } from "@playwright/test";
import { logIn, unique } from "./fixtures.ts";
import { editor, expectTaggedText, openNewExample, placeCursorAfter, type } from "./editor-steps.ts";

function saveStatus(page: Page) {
  return page.getByRole("status", { name: "Save status" });
}

const saveRequests = "**/trpc/examples.save**";

/** Has the admin, in a browser of their own, create a user who is a member of the demo project with `role`. */
async function createMember(browser: Browser, role: string): Promise<{ email: string; password: string }> {
  const who = { email: `${unique("writer")}@e2e.test`, password: "a long enough password for e2e" };
  const context = await browser.newContext();
  const admin = await context.newPage();
  await logIn(admin);
  await admin.goto("/users");
  await admin.getByLabel("New user email").fill(who.email);
  await admin.getByLabel("Initial password").fill(who.password);
  await admin.getByRole("button", { name: "Create user" }).click();
  await expect(admin.getByRole("cell", { name: who.email })).toBeVisible();
  await admin.goto("/projects/demo");
  await admin.getByLabel("Member email").fill(who.email);
  await admin.getByLabel("Role").selectOption(role);
  await admin.getByRole("button", { name: "Add member" }).click();
  await expect(admin.getByLabel(`${who.email} is ${role}`)).toBeChecked();
  await context.close();
  return who;
}

/** Has the admin, in a browser of their own, change the roles of `email` in the demo project. */
async function changeRoles(browser: Browser, email: string, roles: { add: string; remove: string }): Promise<void> {
  const context = await browser.newContext();
  const admin = await context.newPage();
  await logIn(admin);
  await admin.goto("/projects/demo");
  await admin.getByLabel(`${email} is ${roles.add}`).check();
  await expect(admin.getByLabel(`${email} is ${roles.add}`)).toBeChecked();
  await admin.getByLabel(`${email} is ${roles.remove}`).uncheck();
  await expect(admin.getByLabel(`${email} is ${roles.remove}`)).not.toBeChecked();
  await context.close();
}

test.beforeEach(async ({ page }) => {
  page.on("dialog", (dialog) => void dialog.accept());
});

test("unsaved text kept for one user is not given to the next person who logs in on this browser", async ({ page, browser }) => {
  const writer = await createMember(browser, "author");
  const url = await openNewExample(page);
  await editor(page).click();
  await type(page, "Saved.");
  await expect(saveStatus(page)).toContainText("Saved as revision 2");
  await page.route(saveRequests, (route) => route.abort("internetdisconnected"));
  await type(page, " Only the admin's.");
  await expect(saveStatus(page)).toContainText("kept in this browser");
  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page).toHaveURL(/\/login/);
  await page.unroute(saveRequests);

  await logIn(page, writer);
  await page.goto(url);
  await expectTaggedText(page, "Saved.");
  await expect(page.getByText("Unsaved changes kept in this browser were restored")).toHaveCount(0);
  await placeCursorAfter(page, "Saved.");
  await type(page, " The writer's.");
  await expect(saveStatus(page)).toContainText("Saved as revision 3");
  await page.reload();
  await expectTaggedText(page, "Saved. The writer's.");
});

test("kept text of someone who can no longer edit is offered to copy, not restored or sent", async ({ page, browser }) => {
  const writer = await createMember(browser, "author");
  await logIn(page, writer);
  await page.goto("/projects/demo");
  await page.getByRole("button", { name: "New example" }).click();
  await expect(editor(page)).toBeVisible();
  const url = page.url();
  await editor(page).click();
  await type(page, "Mine.");
  await expect(saveStatus(page)).toContainText("Saved as revision 2");
  let sent = 0;
  await page.route(saveRequests, (route) => {
    sent++;
    return route.abort("internetdisconnected");
  });
  await type(page, " Not saved yet.");
  await expect(saveStatus(page)).toContainText("kept in this browser");

  await changeRoles(browser, writer.email, { add: "reviewer", remove: "author" });
  await page.goto(url);
  sent = 0;
  await expect(page.getByText("You cannot edit this example")).toBeVisible();
  await expectTaggedText(page, "Mine.");
  await expect(page.getByRole("heading", { name: "Unsaved text from earlier, which you can copy" })).toBeVisible();
  await expect(page.getByRole("textbox", { name: "Your kept text" })).toHaveValue("Mine. Not saved yet.");
  await expect(page.getByText("Unsaved changes kept in this browser were restored")).toHaveCount(0);
  // A save would have been tried at once, and retried after 1 s and 2 s.
  await page.waitForTimeout(4000);
  expect(sent).toBe(0);
  await expect(saveStatus(page)).not.toContainText("Not saved");

  await page.getByRole("button", { name: "Forget this text" }).click();
  await page.reload();
  await expect(page.getByText("You cannot edit this example")).toBeVisible();
  await expect(page.getByRole("heading", { name: "Unsaved text from earlier, which you can copy" })).toHaveCount(0);
});
