/**
 * The built `studio` (build.ts): when bin/studio.js takes a build as current, and a build that
 * imports and exports, worker threads included, with tsx kept out of reach.
 */
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { currentBuild } from "../bin/current-build.js";
import { bundleStudio } from "./build.ts";
import { createProject } from "./services/projects.ts";
import { createTestDatabase } from "./test/database.ts";
import { runStudio } from "./test/processes.ts";

const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

/** A folder's URL, ending in "/" as `currentBuild` wants it. */
const folderUrl = (folder: string) => pathToFileURL(`${folder}/`);

describe("currentBuild", () => {
  /** A repository of two sources, and a build record in its `dist` made from `inputs` at `builtAt`. */
  function repository(builtAt: number, inputs = ["src/a.ts", "src/b.ts"]) {
    const root = mkdtempSync(join(tmpdir(), "studio-build-"));
    folders.push(root);
    mkdirSync(join(root, "src"));
    mkdirSync(join(root, "dist"));
    for (const name of ["a.ts", "b.ts"]) {
      writeFileSync(join(root, "src", name), "export {};\n");
      utimesSync(join(root, "src", name), new Date(builtAt - 60_000), new Date(builtAt - 60_000));
    }
    writeFileSync(join(root, "dist", "studio.json"), JSON.stringify({ folder: `studio-${builtAt}`, builtAt, inputs }));
    return { root, dist: folderUrl(join(root, "dist")), repo: folderUrl(root) };
  }

  it("names the build's command line while no source changed after the build began", () => {
    const builtAt = Date.now();
    const { root, dist, repo } = repository(builtAt);
    expect(currentBuild(dist, repo)?.href).toBe(pathToFileURL(join(root, "dist", `studio-${builtAt}`, "studio.mjs")).href);
  });

  it("is null once a source is newer than the build", () => {
    const builtAt = Date.now();
    const { root, dist, repo } = repository(builtAt);
    utimesSync(join(root, "src", "b.ts"), new Date(builtAt + 1_000), new Date(builtAt + 1_000));
    expect(currentBuild(dist, repo)).toBeNull();
  });

  it("is null when a source is gone, the record lists nothing, or there is no record", () => {
    const missing = repository(Date.now(), ["src/a.ts", "src/gone.ts"]);
    expect(currentBuild(missing.dist, missing.repo)).toBeNull();
    const empty = repository(Date.now(), []);
    expect(currentBuild(empty.dist, empty.repo)).toBeNull();
    const none = repository(Date.now());
    rmSync(join(none.root, "dist", "studio.json"));
    expect(currentBuild(none.dist, none.repo)).toBeNull();
  });
});

/** Loaded with `--import` into a process and its worker threads: any import of tsx fails. */
const NO_TSX = `data:text/javascript,${encodeURIComponent(
  `import { register } from "node:module";
register("data:text/javascript," + encodeURIComponent(
  "export async function resolve(specifier, context, next) {" +
  "  if (specifier === 'tsx' || specifier.startsWith('tsx/')) throw new Error('The build loaded tsx: ' + specifier);" +
  "  return next(specifier, context);" +
  "}"));`,
)}`;

describe("bundleStudio", () => {
  it("builds a studio that imports and exports on its worker threads without tsx", async () => {
    const dir = join(import.meta.dirname, "..", "dist", `build-test-${process.pid}`);
    folders.push(dir);
    const inputs = await bundleStudio(dir, { studio: "src/cli/main.ts" });
    expect(inputs).toEqual(expect.arrayContaining(["apps/api/src/cli/main.ts", "apps/api/src/services/export/page-worker.ts", "apps/api/src/build.ts", "package.json"]));
    // The build's command line, with tsx out of reach.
    const node = ["--import", NO_TSX, join(dir, "studio.mjs")];

    const database = await createTestDatabase();
    try {
      await createProject(database.db, { slug: "built", name: "Built", actorId: null });
      const work = mkdtempSync(join(tmpdir(), "studio-built-"));
      folders.push(work);
      // Enough examples for the export to build its records on worker threads (exporter.ts: SMALL_EXPORT).
      const lines = Array.from({ length: 10_000 }, (_, n) => JSON.stringify({ id: `b${n}`, text: `Line ${n} asks for help. <AI>I help with line ${n}.</AI>` }));
      writeFileSync(join(work, "in.jsonl"), lines.join("\n") + "\n");

      const imported = await runStudio(["import", "--project", "built", "--stage", "accepted", join(work, "in.jsonl")], { databaseUrl: database.url, node });
      expect(imported.stderr).not.toContain("tsx");
      expect(imported.status).toBe(0);

      const out = join(work, "out");
      const exported = await runStudio(["export", "--project", "built", "--out", out, "--format", "both", "--tokenizer", "o200k_base"], { databaseUrl: database.url, node });
      expect(exported.stderr).not.toContain("tsx");
      expect(exported.status).toBe(0);
      const manifest = JSON.parse(await readFile(join(out, "manifest.json"), "utf8")) as { shards: { records: number; format?: string }[] };
      expect(manifest.shards.reduce((sum, shard) => sum + shard.records, 0)).toBe(2 * 10_000);
    } finally {
      await database.drop();
    }
  }, 120_000);
});
