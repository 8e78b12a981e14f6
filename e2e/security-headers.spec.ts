/**
 * The studio works under its own Content-Security-Policy: the login page, the project list
 * and the editor load and run without the browser refusing anything, while a script
 * injected inline is refused.
 */
import { expect, test, type Page } from "@playwright/test";
import { logIn } from "./fixtures.ts";
import { editor, expectTaggedText, type } from "./editor-steps.ts";

/**
 * Records every Content-Security-Policy violation the page reports, both as the
 * `securitypolicyviolation` event and as Chromium's console message, from the first load on.
 */
async function recordViolations(page: Page): Promise<string[]> {
  const violations: string[] = [];
  await page.exposeFunction("reportCspViolation", (violation: string) => void violations.push(violation));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      const report = (window as unknown as { reportCspViolation: (violation: string) => void }).reportCspViolation;
      void report(`${event.effectiveDirective} refused ${event.blockedURI || "inline code"}`);
    });
  });
  page.on("console", (message) => {
    if (message.text().includes("Content Security Policy")) violations.push(message.text());
  });
  return violations;
}

test("the login page, project list and editor run under the CSP without a violation", async ({ page }) => {
  const violations = await recordViolations(page);
  const login = await page.goto("/login");
  expect(login?.headers()["content-security-policy"]).toContain("script-src 'self'");
  await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();

  await logIn(page);
  await page.goto("/projects/demo");
  await page.getByRole("button", { name: "New example" }).click();
  await expect(page).toHaveURL(/\/examples\/[^/]+$/);
  await editor(page).click();
  await type(page, "Hello <AI>hi</AI> there");
  await expectTaggedText(page, "Hello <AI>hi</AI> there");
  await expect(page.getByRole("status", { name: "Save status" })).toContainText("Saved as revision");
  await page.reload();
  await expect(editor(page)).toContainText("Hello hi there");
  expect(violations).toEqual([]);
});

test("a script injected inline is refused", async ({ page }) => {
  const violations = await recordViolations(page);
  await page.goto("/login");
  await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
  const ran = await page.evaluate(() => {
    const script = document.createElement("script");
    script.textContent = "document.body.dataset.injected = 'ran'";
    document.head.append(script);
    return document.body.dataset.injected === "ran";
  });
  expect(ran).toBe(false);
  await expect.poll(() => violations.some((violation) => violation.startsWith("script-src-elem refused inline"))).toBe(true);
});
