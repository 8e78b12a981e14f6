/**
 * The entry point of the export benchmark's child processes (see export.ts), started as
 * bin/studio.js starts the studio (with its node options): glibc's malloc arenas capped and the
 * young generation's size left to worker threads first, before loading anything that could start
 * a thread, then the benchmark's code.
 */
import { limitMallocArenas } from "../apps/api/bin/malloc-arenas.js";
import { releaseWorkerHeaps } from "../apps/api/bin/young-generation.js";

limitMallocArenas();
releaseWorkerHeaps();
await import("./export.ts");
