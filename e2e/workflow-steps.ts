/**
 * Steps the workflow specs share: setting up a project and its people through the API (as an
 * admin's browser session), logging each person in in a browser context of their own, taking
 * the next example of a queue, and checks that a page fits a narrow screen.
 */
import AxeBuilder from "@axe-core/playwright";
import { expect, type Browser, type BrowserContext, type Page } from "@playwright/test";
import { ADMIN, unique } from "./fixtures.ts";

/** A person of the scenario. */
export interface Person {
  email: string;
  password: string;
  name: string;
}

/** Calls a tRPC procedure over HTTP with the page's session (mutations carry the CSRF header). */
export async function api<T = unknown>(page: Page, procedure: string, input: unknown, kind: "query" | "mutation" = "mutation"): Promise<T> {
  const headers = { "x-studio-csrf": "1", "content-type": "application/json" };
  const response =
    kind === "mutation"
      ? await page.request.post(`/trpc/${procedure}`, { headers, data: JSON.stringify(input) })
      : await page.request.get(`/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify(input))}`, { headers });
  const body = (await response.json()) as { result?: { data: T }; error?: { message: string } };
  if (!response.ok() || !body.result) throw new Error(`${procedure} failed: ${body.error?.message ?? response.status()}`);
  return body.result.data;
}

/** Logs in through the form and waits to leave the login page. */
export async function signIn(page: Page, who: { email: string; password: string }): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).not.toHaveURL(/\/login/);
}

/**
 * A new project with one person per role given (each a new account), made by the global admin
 * through the API, with no audits (audit rate 0). Returns the project's slug and the people by role.
 */
export async function setUpProject<R extends string>(admin: Page, roles: readonly R[]): Promise<{ slug: string; people: Record<R, Person> }> {
  await signIn(admin, ADMIN);
  const slug = unique("wf");
  await api(admin, "projects.create", { slug, name: `Workflow ${slug}` });
  // No audits: a round that passes review is then always accepted, as the specs expect.
  await api(admin, "projects.updateSettings", { projectSlug: slug, settings: { auditRate: 0 } });
  const people = {} as Record<R, Person>;
  for (const role of roles) {
    const person: Person = { email: `${unique(role)}@e2e.test`, password: "a long enough password 1", name: `${role[0]!.toUpperCase()}${role.slice(1)} ${slug.slice(-4)}` };
    await api(admin, "users.create", { email: person.email, name: person.name, password: person.password });
    const memberRole = role.replace(/\d+$/, "");
    await api(admin, "members.add", { projectSlug: slug, email: person.email, role: memberRole });
    people[role] = person;
  }
  return { slug, people };
}

/** A browser context of its own for `person`, logged in; returns its page. */
export async function personPage(browser: Browser, person: Person, options: { width?: number } = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext(options.width ? { viewport: { width: options.width, height: 800 } } : {});
  const page = await context.newPage();
  page.on("dialog", (dialog) => void dialog.accept());
  await signIn(page, person);
  return { context, page };
}

/** Takes the next example of a queue with the project page's "Take next" button. */
export async function takeNext(page: Page, slug: string, role: "commentator" | "reviewer" | "adjudicator"): Promise<void> {
  await page.goto(`/projects/${slug}`);
  await page.getByRole("button", { name: `Take next as ${role}` }).click();
}

/** The stage as the page shows it (SPEC §6: the element named "Stage"). */
export function stage(page: Page) {
  return page.getByRole("status", { name: "Stage" });
}

/** Serious and critical axe-core violations on the current page. */
export async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

/** Fails when the page is wider than its viewport (it must fit a 360 px screen without sideways scrolling). */
export async function expectNoSidewaysScroll(page: Page): Promise<void> {
  const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
  expect(scroll, "page width").toBeLessThanOrEqual(width);
}

/** The text the document selection covers. */
export function selectedText(page: Page): Promise<string> {
  return page.evaluate(() => getSelection()?.toString() ?? "");
}
