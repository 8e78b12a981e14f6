/**
 * `npm run bench [-- NAME…]`: runs every benchmark (or only the named ones) and prints one
 * JSON object per line. Benchmark modules are listed here; each exports `benchmarks`.
 */
import type { Benchmark, BenchResult } from "./harness.ts";

const modules: Array<() => Promise<{ benchmarks: Benchmark[] }>> = [
  () => import("./editor.ts"),
  () => import("./core.ts"),
  () => import("./hostile.ts"),
  () => import("./workflow.ts"),
  () => import("./dashboard.ts"),
  () => import("./export.ts"),
  () => import("./import.ts"),
  () => import("./load.ts"),
];

function round(value: number): number {
  return Number(value.toPrecision(4));
}

function format(result: BenchResult): string {
  const line: BenchResult = { name: result.name, value: round(result.value), unit: result.unit };
  if (result.baseline !== undefined) {
    line.baseline = round(result.baseline);
    line.ratio = round(result.value / result.baseline);
  }
  return JSON.stringify(line);
}

const wanted = new Set(process.argv.slice(2));
const all = (await Promise.all(modules.map((load) => load()))).flatMap((m) => m.benchmarks);
const unknown = [...wanted].filter((name) => !all.some((b) => b.name === name));
if (unknown.length > 0) {
  console.error(`Unknown benchmark ${unknown.join(", ")}. Known: ${all.map((b) => b.name).join(", ")}`);
  process.exit(2);
}
for (const benchmark of all) {
  if (wanted.size > 0 && !wanted.has(benchmark.name)) continue;
  for (const result of await benchmark.run()) console.log(format(result));
}
