/**
 * The pause the last step of an SQLite import leaves between two chunks (sqlite-writer.ts),
 * checked against a simulation of SQLite's busy handler: every connection that began to wait
 * for the write lock during a chunk tries it again within the pause, however long the chunk.
 */
import { describe, expect, it } from "vitest";
import { chunkPauseMs } from "./sqlite-writer.ts";

/** `sqliteDefaultBusyCallback` (sqlite3/src/main.c): its sleeps, and the waits after which each begins. */
const DELAYS = [1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100];
const TOTALS = [0, 1, 3, 8, 18, 33, 53, 78, 103, 128, 178, 228];

/** When a connection that began to wait at 0 next tries the lock, at or after `waited` ms. */
function nextTry(waited: number): number {
  let at = 0;
  for (let count = 0; at < waited; count++) at += count < DELAYS.length ? DELAYS[count]! : DELAYS.at(-1)!;
  return at;
}

describe("chunkPauseMs", () => {
  it("outlasts the busy handler's sleep of every connection that began to wait during the chunk", () => {
    expect(TOTALS.map((total, index) => (index === 0 ? 0 : nextTry(total)))).toEqual(TOTALS);
    // Past 228 ms of waiting every sleep is 100 ms, so chunks up to 1 s cover every case.
    const missed: string[] = [];
    for (let held = 0; held <= 1_000; held += 1) {
      const pause = chunkPauseMs(held);
      for (let waited = 0; waited <= held; waited += 1) {
        if (nextTry(waited) - waited >= pause) missed.push(`a chunk of ${held} ms, a connection that had waited ${waited} ms of it`);
      }
    }
    expect(missed).toEqual([]);
  });

  it("is short after a short chunk, where a fixed pause would idle the step", () => {
    expect(chunkPauseMs(80)).toBeLessThanOrEqual(40);
    expect(chunkPauseMs(Infinity)).toBeGreaterThanOrEqual(100);
  });
});
