/** The options `studio` gives node (read from the first line of bin/studio.js), for whoever starts a studio process otherwise. */
export function studioNodeOptions(): string[];
/** Clears `--max-semi-space-size` for the worker threads started from now on. */
export function releaseWorkerHeaps(): void;
