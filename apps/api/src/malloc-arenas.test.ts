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

describe("releaseFreedMemory", () => {
  it("gives what malloc holds free back to the system", () => {
    // Many small blocks freed leave malloc's heap holding the memory until it is trimmed.
    const { stdout } = node(`
      const { releaseFreedMemory } = await import(${moduleUrl});
      const { readFileSync } = await import("node:fs");
      const rss = () => Number(/VmRSS:\\s+(\\d+)/.exec(readFileSync("/proc/self/status", "utf8"))[1]) / 1024;
      const { createRequire } = await import("node:module");
      const koffi = createRequire(import.meta.url)("koffi");
      const libc = koffi.load("libc.so.6");
      const malloc = libc.func("void *malloc(size_t size)");
      const free = libc.func("void free(void *ptr)");
      const memset = libc.func("void *memset(void *s, int c, size_t n)");
      const blocks = [];
      for (let i = 0; i < 200000; i++) blocks.push(memset(malloc(1000), 1, 1000));
      // Freed from the first, so that the last block (at the top of the heap) is what keeps it from shrinking by itself.
      const last = blocks.pop();
      for (const block of blocks) free(block);
      const before = rss();
      const released = releaseFreedMemory();
      console.log(JSON.stringify({ released, dropped: before - rss() }));
      free(last);
    `);
    const { released, dropped } = JSON.parse(stdout) as { released: boolean; dropped: number };
    expect(released).toBe(true);
    // About 200 MB were freed; the trim gives most of it back.
    expect(dropped).toBeGreaterThan(100);
  });
});

