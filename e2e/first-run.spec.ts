import { expect, test } from "@playwright/test";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * `npm start` on an empty database: the studio migrates, creates a global admin and prints
 * its email and generated password once. A person copies them into the login form.
 */
test("the admin printed on first run can log in", async ({ page }) => {
  const dir = mkdtempSync(join(tmpdir(), "prealign-first-run-"));
  const port = 4392;
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: `file:${join(dir, "studio.db")}` };
  delete env.STUDIO_ADMIN_EMAIL;
  delete env.STUDIO_ADMIN_PASSWORD;
  const child: ChildProcess = spawn(process.execPath, ["apps/api/bin/studio.js", "serve", "--port", String(port)], { env });
  try {
    let output = "";
    const credentials = await new Promise<{ email: string; password: string }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no admin printed; output so far:\n${output}`)), 60_000);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const match = /Admin account created: (\S+) \/ (\S+)/.exec(output);
        if (match && /listening|http:\/\//i.test(output)) {
          clearTimeout(timer);
          resolve({ email: match[1]!, password: match[2]! });
        }
      };
      child.stdout!.on("data", onData);
      child.stderr!.on("data", onData);
      child.on("exit", (code) => reject(new Error(`studio serve exited with ${code}:\n${output}`)));
    });

    await page.goto(`http://127.0.0.1:${port}/login`);
    await page.getByLabel("Email").fill(credentials.email);
    await page.getByLabel("Password").fill(credentials.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("heading", { name: "Projects" })).toBeVisible();
    await expect(page.getByRole("link", { name: /demo/i })).toBeVisible();
  } finally {
    child.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  }
});
