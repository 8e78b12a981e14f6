import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { buildIsCurrent } from "../bin/current-build.js";
import { bundleStudio } from "./build.ts";

const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

/** A folder's URL, ending in "/" as `buildIsCurrent` wants it. */
const folderUrl = (folder: string) => pathToFileURL(`${folder}/`);

describe("buildIsCurrent", () => {
  /** A repository of two sources and a build of them recorded at `builtAt`. */
  function repository(builtAt: number, inputs = ["src/a.ts", "src/b.ts"]) {
    const root = mkdtempSync(join(tmpdir(), "studio-build-"));
    folders.push(root);
    mkdirSync(join(root, "src"));
    mkdirSync(join(root, "dist"));
    for (const name of ["a.ts", "b.ts"]) {
      writeFileSync(join(root, "src", name), "export {};\n");
      utimesSync(join(root, "src", name), new Date(builtAt - 60_000), new Date(builtAt - 60_000));
    }
    writeFileSync(join(root, "dist", "inputs.json"), JSON.stringify({ builtAt, inputs }));
    return { root, built: folderUrl(join(root, "dist")), repo: folderUrl(root) };
  }

  it("is current while no source changed after the build began", () => {
    const { built, repo } = repository(Date.now());
    expect(buildIsCurrent(built, repo)).toBe(true);
  });

  it("is stale once a source is newer than the build", () => {
    const builtAt = Date.now();
    const { root, built, repo } = repository(builtAt);
    utimesSync(join(root, "src", "b.ts"), new Date(builtAt + 1_000), new Date(builtAt + 1_000));
    expect(buildIsCurrent(built, repo)).toBe(false);
  });

  it("is stale when a source is gone, the record lists nothing, or there is no record", () => {
    const missing = repository(Date.now(), ["src/a.ts", "src/gone.ts"]);
    expect(buildIsCurrent(missing.built, missing.repo)).toBe(false);
    const empty = repository(Date.now(), []);
    expect(buildIsCurrent(empty.built, empty.repo)).toBe(false);
    const none = repository(Date.now());
    rmSync(join(none.root, "dist", "inputs.json"));
    expect(buildIsCurrent(none.built, none.repo)).toBe(false);
  });
});

describe("bundleStudio", () => {
  it("builds a studio that runs without tsx and records itself as current", async () => {
    const dir = join(import.meta.dirname, "..", "dist", `build-test-${process.pid}`);
    folders.push(dir);
    await bundleStudio(dir, { studio: "src/cli/main.ts" });
    expect(buildIsCurrent(folderUrl(dir), folderUrl(join(import.meta.dirname, "..", "..", "..")))).toBe(true);

    const file = join(dir, "example.txt");
    writeFileSync(file, "She asked for help. <AI>I will help her write the letter.</AI>\n");
    // No --import tsx: the build must be plain JavaScript throughout.
    const validate = spawnSync(process.execPath, [join(dir, "studio.mjs"), "validate", file], { encoding: "utf8" });
    expect(validate.stderr).toBe("");
    expect(validate.status).toBe(0);
    expect(validate.stdout).toContain(`${file}: valid`);

    const unclosed = join(dir, "unclosed.txt");
    writeFileSync(unclosed, "<AI>never closed\n");
    expect(spawnSync(process.execPath, [join(dir, "studio.mjs"), "validate", unclosed], { encoding: "utf8" }).status).toBe(1);
  }, 60_000);
});
