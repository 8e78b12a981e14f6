/** Whether the build of `studio` in `built` is current (see current-build.js). */
export function buildIsCurrent(built: URL, repository: URL): boolean;
