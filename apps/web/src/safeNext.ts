/**
 * Where to go after logging in: only a path on this site. `//host` and `/\host` are rejected
 * because browsers read both as another host (a backslash counts as a slash in URLs).
 */
export function safeNext(next: string | null): string {
  return next && next.startsWith("/") && !/^\/[\\/]/.test(next) ? next : "/";
}
