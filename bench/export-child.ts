/**
 * The entry point of the export benchmark's child processes (see export.ts), started as
 * bin/studio.js starts the studio: glibc's malloc arenas capped first, before loading anything
 * that could start a thread, then the benchmark's code.
 */
import { limitMallocArenas } from "../apps/api/bin/malloc-arenas.js";

limitMallocArenas();
await import("./export.ts");
