/**
 * Shared knowledge of the end-to-end run: the admin account `e2e/server.ts` seeds, and
 * small steps every spec takes as a person would (log in through the form).
 */
import { expect, type Page } from "@playwright/test";

/** The global admin the test server is started with. */
export const ADMIN = { email: "admin@e2e.test", password: "correct horse battery staple" };

/** Logs in through the login form and waits for the project list. */
export async function logIn(page: Page, who: { email: string; password: string } = ADMIN): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Projects" })).toBeVisible();
}

/** A name unique to this test run, so specs never collide on emails or slugs. */
export function unique(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
}

/** Calls a tRPC mutation as the signed-in person, from the page (same origin, session cookie). */
export async function mutate<T = unknown>(page: Page, path: string, input: unknown): Promise<T> {
  const body = await page.evaluate(
    async ([path, input]) => {
      const response = await fetch(`/trpc/${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-studio-csrf": "1" },
        body: JSON.stringify(input),
      });
      return { status: response.status, json: (await response.json()) as unknown };
    },
    [path, input] as const,
  );
  if (body.status !== 200) throw new Error(`${path} failed (${body.status}): ${JSON.stringify(body.json)}`);
  return (body.json as { result: { data: T } }).result.data;
}
