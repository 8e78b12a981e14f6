/**
 * `studio serve [--port N]`: migrates the database, sets up a first admin and demo project on
 * an empty one, and serves the web app and the API on one port.
 */
import { fileURLToPath } from "node:url";
import { Command, InvalidArgumentError } from "commander";
import { createDb, databaseUrlFromEnv } from "../db/database.ts";
import { migrateDatabase } from "../db/migrate.ts";
import { createServer } from "../server.ts";
import { setUpFirstRun, type FirstRunOptions } from "../services/first-run.ts";
import { CommandError, exitTwoOnUsageErrors, runCommand, UsageError } from "./support.ts";

/** The built web app, served from the same port as the API. */
const WEB_ROOT = fileURLToPath(new URL("../../../web/dist", import.meta.url));

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidArgumentError("A port is a whole number from 0 to 65535.");
  }
  return port;
}

function firstRunOptions(env: NodeJS.ProcessEnv): FirstRunOptions {
  const email = env.STUDIO_ADMIN_EMAIL?.trim() || undefined;
  const password = env.STUDIO_ADMIN_PASSWORD || undefined;
  if ((email === undefined) !== (password === undefined)) {
    throw new UsageError("Set both STUDIO_ADMIN_EMAIL and STUDIO_ADMIN_PASSWORD, or neither (then a password is generated).");
  }
  return email === undefined || password === undefined ? {} : { adminEmail: email, adminPassword: password };
}

async function serve(options: { port?: number }): Promise<void> {
  const env = process.env;
  const port = options.port ?? (env.PORT ? parsePort(env.PORT) : 3000);
  const host = env.HOST?.trim() || "localhost";
  const setup = firstRunOptions(env);
  const url = databaseUrlFromEnv(env);

  // Open once to report a malformed URL or an unreachable database in plain words, then close:
  // Prisma migrates SQLite only while it holds the file's sole connection.
  await (await createDb(url)).$disconnect();
  await migrateDatabase(url);
  const db = await createDb(url);
  try {
    const firstRun = await setUpFirstRun(db, setup);
    if (firstRun) {
      const password = firstRun.generatedPassword ?? "(the password in STUDIO_ADMIN_PASSWORD)";
      process.stdout.write(`Admin account created: ${firstRun.adminEmail} / ${password}\n`);
      if (firstRun.generatedPassword) process.stdout.write("Write the password down: it is shown only this once.\n");
      process.stdout.write(`Demo project created: ${firstRun.projectSlug}\n`);
    }
  } catch (error) {
    await db.$disconnect();
    throw error;
  }

  const server = await createServer({
    db,
    webRoot: WEB_ROOT,
    logger: { level: env.LOG_LEVEL ?? "info" },
    secureCookies: env.STUDIO_SECURE_COOKIES === "1",
    trustProxy: env.STUDIO_TRUST_PROXY === "1",
  });
  const stop = async () => {
    await server.close();
    await db.$disconnect();
  };
  try {
    await server.listen({ port, host });
  } catch (error) {
    await stop();
    if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE") throw error;
    throw new CommandError(`Port ${port} on ${host} is already in use. Stop what uses it, or choose another port with --port N (or PORT).`);
  }
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  const address = server.server.address();
  const shownHost = host === "0.0.0.0" || host === "::" ? "localhost" : host;
  const shownPort = typeof address === "object" && address !== null ? address.port : port;
  process.stdout.write(`Prealign Studio is listening on http://${shownHost}:${shownPort}\n`);
}

/** The `serve` command. */
export function serveCommand(): Command {
  return exitTwoOnUsageErrors(
    new Command("serve")
      .description("serve the web app and the API on one port (migrates the database first)")
      .option("--port <port>", "port to listen on (default: $PORT, else 3000)", parsePort)
      .action((options: { port?: number }) => runCommand(() => serve(options))),
  );
}
