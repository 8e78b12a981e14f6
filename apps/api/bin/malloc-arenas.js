// Caps glibc's malloc arenas for the studio's processes.
//
// glibc gives each thread that allocates while another holds the lock an arena of its own, up to
// eight per core, and keeps what each arena once held long after it was freed. The studio's
// worker threads (an export's page threads, an import's parser and writer) each took one, and
// exports of a million examples peaked 305, 376 and 442 MB for it (JSONL, tokenised JSONL, both
// formats) against 289-308, 342-359 and 371-385 MB capped (`npm run bench -- export.peak_rss`).
// Two arenas, as MALLOC_ARENA_MAX=2 would give, cost no measurable time there.
//
// glibc reads that variable only when the process starts, so the cap is set here instead, through
// mallopt (by koffi, a foreign-function library), before the studio starts any thread of its own;
// the threads Node starts first keep the arenas they already have. A MALLOC_ARENA_MAX set in the
// environment is left to glibc, and elsewhere than on Linux with glibc nothing is done.
import { createRequire } from "node:module";

/** The arenas a studio process may have. */
export const MALLOC_ARENAS = 2;

/** mallopt's parameter for the arena cap (malloc.h). */
const M_ARENA_MAX = -8;

/** glibc as koffi loaded it, null where there is none (not Linux with glibc, or koffi has no build for this machine); undefined until first asked for. */
let libc;

/** A function of glibc, or null where there is none. */
function glibc(signature) {
  if (libc === undefined) {
    try {
      libc = process.platform === "linux" ? createRequire(import.meta.url)("koffi").load("libc.so.6") : null;
    } catch {
      libc = null;
    }
  }
  return libc?.func(signature) ?? null;
}

/** Caps the process's malloc arenas at `arenas`; returns whether the cap was set. */
export function limitMallocArenas(arenas = MALLOC_ARENAS) {
  if (process.env.MALLOC_ARENA_MAX !== undefined) return false;
  const mallopt = glibc("int mallopt(int param, int value)");
  return mallopt !== null && mallopt(M_ARENA_MAX, arenas) === 1;
}

/**
 * Gives the memory malloc holds free back to the system (glibc's malloc_trim), as a long task
 * does before a phase that needs memory of another kind: glibc keeps what its arenas once held.
 * Returns whether any was given back.
 */
export function releaseFreedMemory() {
  const trim = glibc("int malloc_trim(size_t pad)");
  return trim !== null && trim(0) === 1;
}
