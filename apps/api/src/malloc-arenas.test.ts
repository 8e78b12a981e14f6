import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

const moduleUrl = JSON.stringify(new URL("../bin/malloc-arenas.js", import.meta.url).href);

/** Runs `code` as a module in a fresh Node process with `env` added. */
function node(code: string, env: Record<string, string> = {}): { stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, ["--input-type=module", "-e", code], { env: { ...process.env, ...env }, encoding: "utf8" });
  expect(run.status, run.stderr).toBe(0);
  return { stdout: run.stdout.trim(), stderr: run.stderr };
}

/**
 * The malloc arenas of a process that starts eight threads allocating at once, after capping its
 * arenas or not: glibc's malloc_stats (called through koffi) prints one "Arena n:" per arena.
 */
function arenasAfterThreads(limit: boolean): number {
  const { stderr } = node(`
    const { limitMallocArenas } = await import(${moduleUrl});
    if (${limit}) limitMallocArenas();
    const { Worker } = await import("node:worker_threads");
    const work = "const b = []; for (let i = 0; i < 20000; i++) b.push(Buffer.allocUnsafeSlow(64 + (i % 512))); import('node:worker_threads').then((w) => w.parentPort.postMessage(b.length));";
    await Promise.all(Array.from({ length: 8 }, () => new Promise((done) => new Worker(work, { eval: true }).once("message", done))));
    const { createRequire } = await import("node:module");
    createRequire(import.meta.url)("koffi").load("libc.so.6").func("void malloc_stats(void)")();
  `);
  return stderr.match(/^Arena \d+:$/gm)?.length ?? 0;
}

/** What `limitMallocArenas()` returns in a fresh process with `env` added. */
function limitIn(env: Record<string, string> = {}): string {
  return node(`const { limitMallocArenas } = await import(${moduleUrl}); console.log(limitMallocArenas());`, env).stdout;
}

// On Linux with glibc, as the studio's machines and CI are.
describe("limitMallocArenas", () => {
  it("sets glibc's arena cap through mallopt", () => {
    expect(limitIn()).toBe("true");
  });

  it("leaves a MALLOC_ARENA_MAX of the environment to glibc", () => {
    expect(limitIn({ MALLOC_ARENA_MAX: "4" })).toBe("false");
  });

  it("keeps threads started afterwards to the arenas there are", () => {
    const capped = arenasAfterThreads(true);
    const free = arenasAfterThreads(false);
    // The threads Node started before the cap may hold an arena each; the eight new ones add none.
    expect(free).toBeGreaterThan(capped);
    expect(capped).toBeLessThanOrEqual(4);
  });
});
