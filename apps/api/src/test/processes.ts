/**
 * Running a `studio` command from tests as a person would, to its end. (`studio serve` as a
 * process of its own is load/server-process.ts.)
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/** The `studio` executable. */
export const STUDIO = fileURLToPath(new URL("../../bin/studio.js", import.meta.url));

/** How a command ended. */
export interface StudioRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `studio ARGS…` to its end with DATABASE_URL, extra environment and standard input;
 * `node` is what node runs before ARGS (default: the `studio` executable).
 */
export function runStudio(args: string[], options: { databaseUrl: string; input?: string; env?: Record<string, string>; node?: string[] }): Promise<StudioRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(options.node ?? [STUDIO]), ...args], {
      env: { ...process.env, DATABASE_URL: options.databaseUrl, ...options.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(options.input ?? "");
  });
}
