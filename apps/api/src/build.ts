/**
 * The built `studio`: the command line and its worker threads bundled as plain JavaScript by
 * esbuild into `apps/api/dist/cli/`, which `bin/studio.js` runs instead of the TypeScript
 * sources whenever it is current: when none of the files it was built from changed after the
 * build began (`inputs.json` beside it lists them). `npm run build` (and so `npm start`
 * and `npm test`) builds it; `npm run build:api` builds it alone.
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
 */
import { copyFile, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

/** apps/api */
const API_ROOT = fileURLToPath(new URL("..", import.meta.url));
const REPOSITORY = resolve(API_ROOT, "../..");

/** Where `studio` is built. */
export const BUILT_STUDIO_DIR = join(API_ROOT, "dist", "cli");

/** The record of a build: what it was made from and when, so that a newer source makes it stale. */
const INPUTS_FILE = "inputs.json";

/** Worker threads' entry points, by the name their pools load them by (`new URL("./x.worker.mjs", import.meta.url)`). */
const WORKERS = {
  "page-worker.worker": "src/services/export/page-worker.worker.mjs",
  "parse.worker": "src/services/import/parse.worker.mjs",
  "write.worker": "src/services/import/write.worker.mjs",
  "document-check.worker": "src/services/document-check.worker.mjs",
};

/** Files the code reads beside itself. */
const ASSETS = ["src/services/demo-guidelines.md"];

/** What `bin/studio.js` reads to tell whether the build is current. */
interface BuildRecord {
  /** When the build began (ms since the epoch). */
  builtAt: number;
  /** Its sources, relative to the repository. */
  inputs: string[];
}

/** Every dependency of this repository's packages: left outside the bundle. */
async function packagesOutside(): Promise<string[]> {
  const names = new Set<string>();
  for (const manifest of ["package.json", "apps/api/package.json", "packages/core/package.json"]) {
    const json = JSON.parse(await readFile(join(REPOSITORY, manifest), "utf8")) as { dependencies?: object; devDependencies?: object };
    for (const name of Object.keys({ ...json.dependencies, ...json.devDependencies })) names.add(name);
  }
  return [...names].filter((name) => !name.startsWith("@prealign/")).flatMap((name) => [name, `${name}/*`]);
}

/**
 * Bundles `entries` (name → path, absolute or relative to apps/api) with the worker entry points into
 * `outDir`, which must be a folder of apps/api's `dist` (see the module comment), replacing
 * what was there.
 */
export async function bundleStudio(outDir: string, entries: Record<string, string>): Promise<void> {
  if (dirname(outDir) !== join(API_ROOT, "dist")) throw new Error(`${outDir} must be a folder of ${join(API_ROOT, "dist")}.`);
  await rm(outDir, { recursive: true, force: true });
  const builtAt = Date.now();
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
  const inputs = Object.keys(result.metafile.inputs).map((input) => relative(REPOSITORY, resolve(API_ROOT, input)));
  const record: BuildRecord = { builtAt, inputs: [...inputs, ...ASSETS.map((asset) => relative(REPOSITORY, join(API_ROOT, asset)))] };
  await writeFile(join(outDir, INPUTS_FILE), JSON.stringify(record));
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await mkdir(join(API_ROOT, "dist"), { recursive: true });
  await bundleStudio(BUILT_STUDIO_DIR, { studio: "src/cli/main.ts" });
  process.stdout.write(`Built studio into ${relative(process.cwd(), BUILT_STUDIO_DIR) || "."}\n`);
}
