import { expect, test } from "@playwright/test";
import { logIn, unique } from "./fixtures.ts";

test("an admin creates a project, a user, adds them as a member and changes their roles", async ({ page }) => {
  await logIn(page);

  const slug = unique("proj");
  await page.getByLabel("Name", { exact: true }).fill(`Project ${slug}`);
  await page.getByLabel("Slug").fill(slug);
  await page.getByRole("button", { name: "Create project" }).click();
  await page.getByRole("link", { name: `Project ${slug}` }).click();
  await expect(page.getByRole("heading", { name: `Project ${slug}` })).toBeVisible();

  await page.getByRole("link", { name: "Users" }).click();
  const email = `${unique("writer")}@e2e.test`;
  await page.getByLabel("New user email").fill(email);
  await page.getByRole("button", { name: "Create user" }).click();
  await expect(page.getByRole("status")).toContainText(email);
  await expect(page.getByRole("cell", { name: email })).toBeVisible();

  await page.goto(`/projects/${slug}`);
  await page.getByLabel("Member email").fill(email);
  await page.getByLabel("Role").selectOption("author");
  await page.getByRole("button", { name: "Add member" }).click();
  await expect(page.getByLabel(`${email} is author`)).toBeChecked();
  await expect(page.getByLabel(`${email} is reviewer`)).not.toBeChecked();

  await page.getByLabel(`${email} is reviewer`).check();
  await expect(page.getByLabel(`${email} is reviewer`)).toBeChecked();
  await page.reload();
  await expect(page.getByLabel(`${email} is reviewer`)).toBeChecked();
  await expect(page.getByLabel(`${email} is author`)).toBeChecked();

  await page.getByRole("button", { name: `Remove ${email}` }).click();
  await expect(page.getByLabel(`${email} is author`)).toHaveCount(0);
});

test("a wrong password gets one generic message and no session", async ({ page }) => {
  await page.goto("/login");
  await page.getByLabel("Email").fill("nobody@e2e.test");
  await page.getByLabel("Password").fill("wrong password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toHaveText("Email or password is incorrect.");
  await page.goto("/");
  await expect(page).toHaveURL(/\/login\?next=/);
});

test("logging out ends the session", async ({ page }) => {
  await logIn(page);
  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page).toHaveURL(/\/login/);
  await page.goto("/");
  await expect(page).toHaveURL(/\/login/);
});

test("a project admin writes a new version of the guidelines", async ({ page }) => {
  await logIn(page);
  await page.goto("/projects/demo");
  const heading = page.getByRole("heading", { name: /^Guidelines \(version \d+\)$/ });
  const before = Number(/\d+/.exec((await heading.textContent()) ?? "")![0]);
  await page.getByRole("button", { name: "Edit guidelines" }).click();
  const marker = unique("rule");
  await page.getByLabel("Guidelines (Markdown)").fill(`# Rules\n\n- Always comment on bad behaviour (${marker}).\n\n<script>alert(1)</script>`);
  await page.getByRole("button", { name: "Save as new version" }).click();
  await expect(page.getByRole("heading", { name: `Guidelines (version ${before + 1})` })).toBeVisible();
  await expect(page.getByText(`Always comment on bad behaviour (${marker}).`)).toBeVisible();
  // Raw HTML in guidelines is shown as text, never run.
  await expect(page.getByText("<script>alert(1)</script>")).toBeVisible();
});
