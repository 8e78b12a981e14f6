/**
 * Prisma CLI configuration for the sqlite schema: the JavaScript schema engine through the
 * same driver adapter the app uses at run time, so `migrate deploy` needs no engine download.
 * Run the CLI with DATABASE_URL set (prisma/generate.mjs and the API's migrate step do).
 */
import { defineConfig } from "prisma/config";
import { createAdapter, DEFAULT_DATABASE_URL, parseDatabaseUrl } from "../adapters.ts";

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: "./schema.prisma",
  migrations: { path: "./migrations" },
  adapter: async () => createAdapter(parseDatabaseUrl(process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL)),
});
