#!/usr/bin/env node
// Generates both Prisma clients (prisma/generated/sqlite and prisma/generated/postgres); runs
// as the root package's postinstall. The Prisma CLI falls back to downloading a query engine
// when DATABASE_URL is unset, so each run gets a placeholder URL of its provider's scheme;
// `generate` never connects to it.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const prismaCli = createRequire(import.meta.url).resolve("prisma/build/index.js");

const placeholderUrls = {
  sqlite: "file:./data/studio.db",
  postgres: "postgresql://localhost:5432/studio",
};

for (const [provider, url] of Object.entries(placeholderUrls)) {
  const result = spawnSync(
    process.execPath,
    [prismaCli, "generate", "--config", join(here, provider, "prisma.config.ts")],
    { stdio: "inherit", env: { ...process.env, DATABASE_URL: url, PRISMA_HIDE_UPDATE_MESSAGE: "1", CHECKPOINT_DISABLE: "1" } },
  );
  if (result.status !== 0) {
    console.error(`Generating the ${provider} Prisma client failed (exit status ${result.status ?? result.signal}).`);
    process.exit(1);
  }
}
