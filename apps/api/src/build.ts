/**
 * The built `studio`: the command line and its worker threads bundled as plain JavaScript by
 * esbuild, which `bin/studio.js` runs instead of the TypeScript sources whenever the build is
 * current: when none of the files it was built from changed after the build began. `npm run
 * build` (and so `npm start` and `npm test`) builds it; `npm run build:api` builds it alone.
 *
 * Why: running the sources through tsx costs every process a loader thread and the transformed
 * sources, and every worker thread the same again. An export of 200,000 examples (JSONL, no
 * tokenizer) peaked at 389 MB from the sources and 300 MB built, with the same records (`npm run
 * bench -- export.peak_rss`, which runs the built code).
 *
 * Packages stay outside the bundle (they are plain JavaScript already, and some load native or
 * WebAssembly files from their own folders); this repository's TypeScript, the core and the
 * generated Prisma client included, goes in. Modules find their neighbours through
 * `import.meta.url` (worker files, the demo guidelines, `../../../web/dist`), so the bundle and
 * its chunks sit in one folder exactly as deep below `apps/api` as `src/cli` is, the worker
 * entry points keep their names, and the files they read are copied beside them. The worker
 * files load tsx only when `STUDIO_BUILT` is undefined, which the bundle defines.
 *
 * Each build gets a folder of its own (`dist/studio-<time>`), and `dist/studio.json` names the
 * current one with what it was built from: a process already running keeps loading its worker
 * files and chunks from its own build while the next one is made. The next build removes
 * builds more than a day old.
 */
import { copyFile, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

/** apps/api */
const API_ROOT = fileURLToPath(new URL("..", import.meta.url));
const REPOSITORY = resolve(API_ROOT, "../..");
const DIST = join(API_ROOT, "dist");

/** The record of the current build, read by `bin/current-build.js`. */
const RECORD_FILE = join(DIST, "studio.json");

/** Build folders are named this, then the time the build began. */
const BUILD_PREFIX = "studio-";

/** Builds older than this, other than the current one, are removed by the next build. */
const KEEP_BUILDS_MS = 24 * 60 * 60_000;

/** Worker threads' entry points, by the name their pools load them by (`new URL("./x.worker.mjs", import.meta.url)`). */
const WORKERS = {
  "page-worker.worker": "src/services/export/page-worker.worker.mjs",
  "parse.worker": "src/services/import/parse.worker.mjs",
  "write.worker": "src/services/import/write.worker.mjs",
  "document-check.worker": "src/services/document-check.worker.mjs",
};

/** Files the code reads beside itself. */
const ASSETS = ["src/services/demo-guidelines.md"];

/** The package manifests whose dependencies stay outside the bundle (and whose `exports` esbuild follows). */
const MANIFESTS = ["package.json", "apps/api/package.json", "packages/core/package.json"];

/** Files that shape a build without being bundled, relative to the repository: a change to one makes the build stale too. */
const SETTINGS = [...MANIFESTS, "tsconfig.base.json", "apps/api/tsconfig.json", "packages/core/tsconfig.json", "apps/api/src/build.ts"];

/** What `bin/current-build.js` reads to find the current build and tell whether it is still current. */
export interface BuildRecord {
  /** The build's folder in `dist`. */
  folder: string;
  /** When the build began (ms since the epoch). */
  builtAt: number;
  /** What it was made from, relative to the repository. */
  inputs: string[];
}

/** Every dependency of this repository's packages: left outside the bundle. */
async function packagesOutside(): Promise<string[]> {
  const names = new Set<string>();
  for (const manifest of MANIFESTS) {
    const json = JSON.parse(await readFile(join(REPOSITORY, manifest), "utf8")) as { dependencies?: object; devDependencies?: object };
    for (const name of Object.keys({ ...json.dependencies, ...json.devDependencies })) names.add(name);
  }
  return [...names].filter((name) => !name.startsWith("@prealign/")).flatMap((name) => [name, `${name}/*`]);
}

/**
 * Bundles `entries` (name → path, absolute or relative to apps/api) with the worker entry
 * points into `outDir`, which must be a folder of apps/api's `dist` (see the module comment),
 * replacing what was there. Returns what the bundle was made from, relative to the repository.
 */
export async function bundleStudio(outDir: string, entries: Record<string, string>): Promise<string[]> {
  if (dirname(outDir) !== DIST) throw new Error(`${outDir} must be a folder of ${DIST}.`);
  await rm(outDir, { recursive: true, force: true });
  const result = await build({
    absWorkingDir: API_ROOT,
    entryPoints: { ...entries, ...WORKERS },
    outdir: outDir,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    outExtension: { ".js": ".mjs" },
    chunkNames: "[name]-[hash]",
    external: await packagesOutside(),
    define: { STUDIO_BUILT: "true" },
    metafile: true,
    logLevel: "warning",
  });
  for (const asset of ASSETS) await copyFile(join(API_ROOT, asset), join(outDir, asset.split("/").at(-1)!));
  const bundled = Object.keys(result.metafile.inputs).map((input) => relative(REPOSITORY, resolve(API_ROOT, input)));
  return [...bundled, ...ASSETS.map((asset) => relative(REPOSITORY, join(API_ROOT, asset))), ...SETTINGS];
}

/** Builds `studio` into a new folder, makes it the current build and removes builds more than a day old. Returns its folder. */
export async function buildStudio(): Promise<string> {
  const builtAt = Date.now();
  const folder = `${BUILD_PREFIX}${builtAt}`;
  const inputs = await bundleStudio(join(DIST, folder), { studio: "src/cli/main.ts" });
  const record: BuildRecord = { folder, builtAt, inputs };
  // Renamed into place, so that a studio starting meanwhile reads the old record or the new one, whole.
  await writeFile(`${RECORD_FILE}.tmp`, JSON.stringify(record));
  await rename(`${RECORD_FILE}.tmp`, RECORD_FILE);
  for (const old of await readdir(DIST)) {
    const started = old.startsWith(BUILD_PREFIX) ? Number(old.slice(BUILD_PREFIX.length)) : NaN;
    if (old !== folder && builtAt - started > KEEP_BUILDS_MS) await rm(join(DIST, old), { recursive: true, force: true });
  }
  return join(DIST, folder);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const built = await buildStudio();
  process.stdout.write(`Built studio into ${relative(process.cwd(), built) || "."}\n`);
}
