import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { studioNodeOptions } from "../bin/young-generation.js";

const moduleUrl = JSON.stringify(new URL("../bin/young-generation.js", import.meta.url).href);

/**
 * The young generation (MB, as V8 reports its size) that a thread grows to while everything it
 * allocates survives: its largest size.
 */
const GROW = `
  const v8 = await import("node:v8");
  const kept = [];
  for (let i = 0; i < 400_000; i++) kept.push({ i, s: "x" + i });
  const young = v8.getHeapSpaceStatistics().find((space) => space.space_name === "new_space").space_size / 2 ** 20;
`;

/**
 * Grows the main thread's young generation, and that of a worker thread whose pool asks for
 * 48 MB (more than the option gives), in a fresh process started with `options`, after `releaseWorkerHeaps()` or not.
 */
function youngGenerations(options: string[], release: boolean): { main: number; worker: number } {
  const code = `
    const { releaseWorkerHeaps } = await import(${moduleUrl});
    if (${release}) releaseWorkerHeaps();
    const { Worker } = await import("node:worker_threads");
    const worker = await new Promise((done, fail) => {
      const thread = new Worker(${JSON.stringify(`${GROW}; (await import("node:worker_threads")).parentPort.postMessage(young);`)}, { eval: true, resourceLimits: { maxYoungGenerationSizeMb: 48 } });
      thread.once("message", done).once("error", fail);
    });
    ${GROW}
    console.log(JSON.stringify({ main: young, worker }));
  `;
  const run = spawnSync(process.execPath, [...options, "--input-type=module", "-e", code], { encoding: "utf8" });
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as { main: number; worker: number };
}

describe("the young generation of studio processes", () => {
  it("is small on the main thread and left to the pools on worker threads", () => {
    expect(studioNodeOptions()).toEqual(["--max-semi-space-size=8"]);
    const studio = youngGenerations(studioNodeOptions(), true);
    const plain = youngGenerations([], true);
    // Two semi-spaces of 8 MB against V8's 16 MB.
    expect(studio.main).toBeLessThanOrEqual(16.5);
    expect(plain.main).toBeGreaterThan(24);
    // The worker's own limit (semi-spaces of 16 MB), as without the option.
    expect(studio.worker).toBe(plain.worker);
    expect(studio.worker).toBeGreaterThan(24);
  });

  it("would size worker threads too without releaseWorkerHeaps", () => {
    expect(youngGenerations(studioNodeOptions(), false).worker).toBeLessThanOrEqual(16.5);
  });
});
