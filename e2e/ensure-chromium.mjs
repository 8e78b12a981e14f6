#!/usr/bin/env node
// Runs before `npm test`: the end-to-end tests drive Debian's Chromium (never a downloaded
// browser). When it is missing, install it with apt-get if we may (root), or say how.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const path = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
if (!existsSync(path)) {
  if (process.env.CHROMIUM_PATH) {
    console.error(`CHROMIUM_PATH is ${path}, but there is no file there. Point it at a Chromium executable, or unset it to use Debian's /usr/bin/chromium.`);
    process.exit(2);
  }
  if (process.getuid?.() !== 0) {
    console.error("The end-to-end tests need Chromium at /usr/bin/chromium. Install it with `sudo apt-get install -y chromium`, or set CHROMIUM_PATH.");
    process.exit(2);
  }
  console.log("Installing Chromium from Debian for the end-to-end tests…");
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  for (const args of [["update", "-qq"], ["install", "-y", "-qq", "chromium"]]) {
    const result = spawnSync("apt-get", args, { stdio: "inherit", env });
    if (result.status !== 0) {
      console.error(`apt-get ${args.join(" ")} failed (exit status ${result.status ?? result.signal}). Install Chromium by hand, or set CHROMIUM_PATH.`);
      process.exit(2);
    }
  }
}
