/**
 * Calling a real studio server over HTTP from tests, as the web app does: a server on a free
 * loopback port, session cookies for test accounts, and tRPC calls by path.
 */
import type { Db } from "../db/database.ts";
import { createServer, CSRF_HEADER, SESSION_COOKIE, type ServerOptions } from "../server.ts";
import { startSession } from "../services/sessions.ts";

/** A server listening on 127.0.0.1 for one test file. */
export interface TestServer {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** Stops listening (the database stays open). */
  close(): Promise<void>;
}

/** Starts a server on the test database on a free port. */
export async function startTestServer(db: Db, options: Partial<ServerOptions> = {}): Promise<TestServer> {
  const server = await createServer({ db, ...options });
  await server.listen({ host: "127.0.0.1", port: 0 });
  const address = server.server.address();
  if (typeof address !== "object" || address === null) throw new Error("The test server has no address");
  return { url: `http://127.0.0.1:${address.port}`, close: () => server.close() };
}

/** A new session for `userId`, as the `cookie` header value that carries it. */
export async function sessionCookie(db: Db, userId: string): Promise<string> {
  const { token } = await startSession(db, userId);
  return `${SESSION_COOKIE}=${token}`;
}

/** A tRPC answer as the client reads it: `result.data` on success, `error` on failure. */
export interface TrpcAnswer {
  /** The HTTP status. */
  status: number;
  /** The parsed body. */
  body: { result?: { data: unknown }; error?: { message: string; data: { code: string; details: unknown } } };
}

async function answerOf(response: Response): Promise<TrpcAnswer> {
  return { status: response.status, body: (await response.json()) as TrpcAnswer["body"] };
}

/** Calls a mutation (POST, with the CSRF header the web app sends). */
export async function mutate(url: string, path: string, input: unknown, cookie?: string): Promise<TrpcAnswer> {
  const response = await fetch(`${url}/trpc/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", [CSRF_HEADER]: "1", ...(cookie ? { cookie } : {}) },
    body: input === undefined ? undefined : JSON.stringify(input),
  });
  return answerOf(response);
}

/** Calls a query (GET, input in the URL). */
export async function query(url: string, path: string, input: unknown, cookie?: string): Promise<TrpcAnswer> {
  const search = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(input))}`;
  const response = await fetch(`${url}/trpc/${path}${search}`, { headers: cookie ? { cookie } : {} });
  return answerOf(response);
}
