/** The URL of the current build's command line, or null (see current-build.js). */
export function currentBuild(dist: URL, repository: URL): URL | null;
