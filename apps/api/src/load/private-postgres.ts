/**
 * A PostgreSQL cluster of one's own, in a temporary folder on a free port, for drills that
 * stop and restart the database: the shared server on 5432 serves everyone else's tests and
 * must never be restarted by one of them. Built with `initdb` and `pg_ctl` from the PATH; as
 * root (which PostgreSQL refuses to run as) both run as the `postgres` user through `runuser`.
 */
import { execFile } from "node:child_process";
import { chown, mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** A running private cluster. */
export interface PrivatePostgres {
  /** `postgresql://postgres@127.0.0.1:<port>/postgres`. */
  url: string;
  /** Restarts the server (`pg_ctl restart -m fast`: open connections are cut). */
  restart(): Promise<void>;
  /** Stops the server and deletes its folder. */
  destroy(): Promise<void>;
}

/** Why a private cluster cannot be made here (no `initdb`/`pg_ctl`, or no user to run them as), or null. */
export async function privatePostgresUnavailable(): Promise<string | null> {
  for (const program of ["initdb", "pg_ctl"]) {
    try {
      await run(program, ["--version"]);
    } catch {
      return `${program} is not on the PATH`;
    }
  }
  if (process.getuid?.() === 0) {
    try {
      await run("runuser", ["-u", "postgres", "--", "true"]);
    } catch {
      return "running as root, and there is no postgres user to run initdb as";
    }
  }
  return null;
}

/** A TCP port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** Runs a PostgreSQL program, as the `postgres` user when this process is root. */
async function pgRun(program: string, args: string[]): Promise<void> {
  const asRoot = process.getuid?.() === 0;
  try {
    await (asRoot ? run("runuser", ["-u", "postgres", "--", program, ...args]) : run(program, args));
  } catch (error) {
    const { stderr, stdout } = error as { stderr?: string; stdout?: string };
    throw new Error(`${program} ${args.join(" ")} failed: ${stderr || stdout || (error as Error).message}`);
  }
}

/** Creates a cluster in a temporary folder (trusting local connections) and starts it on a free port. */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const folder = await mkdtemp(join(tmpdir(), "studio-pg-"));
  const dataDir = join(folder, "data");
  if (process.getuid?.() === 0) {
    const { stdout } = await run("id", ["-u", "postgres"]);
    const { stdout: group } = await run("id", ["-g", "postgres"]);
    await chown(folder, Number(stdout.trim()), Number(group.trim()));
  }
  const port = await freePort();
  const options = `-p ${port} -k ${folder} -c listen_addresses=127.0.0.1 -c fsync=off`;
  const pgCtl = (...args: string[]) => pgRun("pg_ctl", ["-D", dataDir, "-l", join(folder, "log"), "-w", "-t", "30", ...args]);
  try {
    await pgRun("initdb", ["-D", dataDir, "-U", "postgres", "-A", "trust", "--no-sync"]);
    await pgCtl("-o", options, "start");
  } catch (error) {
    await rm(folder, { recursive: true, force: true });
    throw error;
  }
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    restart: () => pgCtl("-o", options, "-m", "fast", "restart"),
    async destroy() {
      await pgCtl("-m", "immediate", "stop").catch(() => undefined);
      await rm(folder, { recursive: true, force: true });
    },
  };
}
