/**
 * A studio server in a process of its own, started as an operator starts it (`studio serve`),
 * for the load benchmark (so that the load generator does not share the server's event loop)
 * and the crash drills (which kill it).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { studioNodeOptions } from "../../bin/young-generation.js";

/** The `studio` command's entry point. */
const STUDIO_BIN = fileURLToPath(new URL("../../bin/studio.js", import.meta.url));

/** A running `studio serve`. */
export interface ServerProcess {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** The child process. */
  child: ChildProcess;
  /** Everything it wrote to stdout and stderr so far, for failure messages. */
  output(): string;
  /** Sends `signal` and waits until the process has exited. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Starts `studio serve` on a free port of 127.0.0.1 against `databaseUrl` and waits until it
 * listens (it migrates the database first). `port` reuses a port, as a restarted server would.
 */
export async function startServerProcess(databaseUrl: string, options: { port?: number; dataDir?: string; timeoutMs?: number } = {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, [...studioNodeOptions(), STUDIO_BIN, "serve", "--port", String(options.port ?? 0)], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      HOST: "127.0.0.1",
      LOG_LEVEL: "warn",
      NODE_ENV: "production",
      ...(options.dataDir ? { STUDIO_DATA_DIR: options.dataDir } : {}),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`studio serve did not start listening within ${options.timeoutMs ?? 60_000} ms`)), options.timeoutMs ?? 60_000);
    function fail(error: Error) {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(new Error(`${error.message}. Its output:\n${output}`));
    }
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const listening = /listening on (http:\/\/\S+)/.exec(output);
      if (listening) {
        clearTimeout(timer);
        resolve(listening[1]!);
      }
    };
    child.stdout!.on("data", read);
    child.stderr!.on("data", read);
    child.once("exit", (code, signal) => fail(new Error(`studio serve exited (${signal ?? `code ${code}`}) before listening`)));
  });
  return {
    url,
    child,
    output: () => output,
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
