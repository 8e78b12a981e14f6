/** The arenas a studio process may have (see malloc-arenas.js). */
export const MALLOC_ARENAS: number;
/** Caps the process's malloc arenas at `arenas`; returns whether the cap was set. */
export function limitMallocArenas(arenas?: number): boolean;
/** Gives the memory malloc holds free back to the system (glibc's malloc_trim); returns whether any was given back. */
export function releaseFreedMemory(): boolean;
