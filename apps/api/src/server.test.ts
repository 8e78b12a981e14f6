/**
 * The HTTP server as a browser meets it: session cookie flags, refusal of forged
 * cross-site requests, login throttling, error shapes, the web app with its
 * single-page fallback, security headers, and the cap on tRPC batches.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { textToDoc } from "@prealign/core";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer, CSRF_HEADER, MAX_BATCH_SIZE, SESSION_COOKIE, type ServerOptions } from "./server.ts";
import { createTestDatabase, type TestDatabase } from "./test/database.ts";
import { projectWithMembers, signedInUser, TEST_PASSWORD, uniqueEmail } from "./test/fixtures.ts";
import { createUser } from "./services/users.ts";

let database: TestDatabase;
let webRoot: string;
const servers: FastifyInstance[] = [];

async function start(options: Partial<ServerOptions> = {}): Promise<string> {
  const server = await createServer({ db: database.db, webRoot, ...options });
  servers.push(server);
  await server.listen({ host: "127.0.0.1", port: 0 });
  const address = server.server.address();
  if (typeof address !== "object" || address === null) throw new Error("no address");
  return `http://127.0.0.1:${address.port}`;
}

let base: string;

beforeAll(async () => {
  database = await createTestDatabase();
  webRoot = await mkdtemp(join(tmpdir(), "studio-web-"));
  await mkdir(join(webRoot, "assets"));
  await writeFile(join(webRoot, "index.html"), "<!doctype html><title>Prealign Studio</title><div id=root></div>");
  await writeFile(join(webRoot, "assets", "app-1234.js"), "console.log('app');");
  base = await start();
});

afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
  await database?.drop();
  await rm(webRoot, { recursive: true, force: true });
});

/**
 * A tRPC response body, read loosely as a client would: a success has `result`, a failure
 * `error`, and each test knows which it expects (reading the other fails the test).
 */
interface TrpcBody {
  result: { data: any };
  error: { message: string; data: { code: string; details: any } };
}

async function bodyOf(response: Response): Promise<TrpcBody> {
  return (await response.json()) as TrpcBody;
}

interface CallOptions {
  cookie?: string;
  headers?: Record<string, string>;
  origin?: string;
}

function mutate(url: string, path: string, input: unknown, options: CallOptions = {}): Promise<Response> {
  return fetch(`${url}/trpc/${path}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      [CSRF_HEADER]: "1",
      ...(options.cookie ? { cookie: options.cookie } : {}),
      ...(options.origin ? { origin: options.origin } : {}),
      ...options.headers,
    },
    body: JSON.stringify(input),
  });
}

function query(url: string, path: string, input: unknown, cookie?: string): Promise<Response> {
  const search = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(input))}`;
  return fetch(`${url}/trpc/${path}${search}`, { headers: cookie ? { cookie } : {} });
}

/** The session cookie a response sets, as `name=value` for the next request, plus its attributes. */
function sessionCookieOf(response: Response): { pair: string; attributes: string[] } | null {
  const header = response.headers.getSetCookie().find((cookie) => cookie.startsWith(`${SESSION_COOKIE}=`));
  if (!header) return null;
  const [pair, ...attributes] = header.split(";").map((part) => part.trim());
  return { pair: pair!, attributes };
}

async function newAccount(): Promise<string> {
  const email = uniqueEmail("http");
  await createUser(database.db, { email, password: TEST_PASSWORD, actorId: null });
  return email;
}

async function logIn(url: string, email: string, options: CallOptions = {}): Promise<string> {
  const response = await mutate(url, "auth.login", { email, password: TEST_PASSWORD }, options);
  expect(response.status).toBe(200);
  return sessionCookieOf(response)!.pair;
}

describe("the session cookie", () => {
  it("is HttpOnly, SameSite=Lax, Path=/, expires with the session, and signs the browser in", async () => {
    const email = await newAccount();
    const response = await mutate(base, "auth.login", { email, password: TEST_PASSWORD });
    expect(response.status).toBe(200);
    const cookie = sessionCookieOf(response)!;
    expect(cookie.pair).toMatch(new RegExp(`^${SESSION_COOKIE}=[A-Za-z0-9_-]{43}$`));
    expect(cookie.attributes).toEqual(expect.arrayContaining(["HttpOnly", "SameSite=Lax", "Path=/"]));
    const expires = cookie.attributes.find((attribute) => attribute.startsWith("Expires="));
    expect(new Date(expires!.slice("Expires=".length)).getTime()).toBeGreaterThan(Date.now() + 6 * 24 * 3600 * 1000);
    expect(cookie.attributes).not.toContain("Secure");
    const me = await bodyOf(await query(base, "auth.me", undefined, cookie.pair));
    expect(me.result.data).toMatchObject({ email });
  });

  it("is Secure when the request came over HTTPS, or when the server is told to insist", async () => {
    const email = await newAccount();
    const behindProxy = await start({ trustProxy: true });
    const overHttps = await mutate(behindProxy, "auth.login", { email, password: TEST_PASSWORD }, { headers: { "x-forwarded-proto": "https" } });
    expect(sessionCookieOf(overHttps)!.attributes).toContain("Secure");
    const insisting = await start({ secureCookies: true });
    const overHttp = await mutate(insisting, "auth.login", { email, password: TEST_PASSWORD });
    expect(sessionCookieOf(overHttp)!.attributes).toContain("Secure");
  });

  it("is cleared at logout, after which the old cookie no longer signs in", async () => {
    const cookie = await logIn(base, await newAccount());
    const response = await mutate(base, "auth.logout", undefined, { cookie });
    expect(response.status).toBe(200);
    const cleared = sessionCookieOf(response)!;
    expect(cleared.pair).toBe(`${SESSION_COOKIE}=`);
    const me = await bodyOf(await query(base, "auth.me", undefined, cookie));
    expect(me.result.data).toBeNull();
  });
});

describe("forged requests", () => {
  it("are refused without the CSRF header, before anything happens", async () => {
    const email = await newAccount();
    const sessionsBefore = await database.db.session.count();
    const response = await fetch(`${base}/trpc/auth.login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, password: TEST_PASSWORD }),
    });
    expect(response.status).toBe(403);
    expect((await bodyOf(response)).error.message).toContain(`lacks the ${CSRF_HEADER} header`);
    expect(sessionCookieOf(response)).toBeNull();
    expect(await database.db.session.count()).toBe(sessionsBefore);
  });

  it("are refused from another origin even with the header, and the victim's session survives", async () => {
    const cookie = await logIn(base, await newAccount());
    const response = await mutate(base, "auth.logout", undefined, { cookie, origin: "https://evil.example" });
    expect(response.status).toBe(403);
    expect((await bodyOf(response)).error.message).toContain("comes from https://evil.example, another site than this studio");
    const me = await bodyOf(await query(base, "auth.me", undefined, cookie));
    expect(me.result.data).not.toBeNull();
  });

  it("are not confused with requests from the studio's own origin", async () => {
    const email = await newAccount();
    const response = await mutate(base, "auth.login", { email, password: TEST_PASSWORD }, { origin: base });
    expect(response.status).toBe(200);
  });

  it("cover every method that can change something, not only tRPC", async () => {
    const response = await fetch(`${base}/healthz`, { method: "DELETE" });
    expect(response.status).toBe(403);
  });
});

describe("login throttling", () => {
  it("answers 429 with the time to wait after five failed sign-ins", async () => {
    const email = await newAccount();
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const response = await mutate(base, "auth.login", { email, password: "wrong password" });
      expect(response.status).toBe(401);
      expect((await bodyOf(response)).error.message).toBe("Email or password is incorrect.");
    }
    const blocked = await mutate(base, "auth.login", { email, password: TEST_PASSWORD });
    expect(blocked.status).toBe(429);
    const body = await bodyOf(blocked);
    expect(body.error.message).toContain("Too many failed sign-in attempts. Wait 15 minutes");
    expect(body.error.data.details.retryAfterSeconds).toBeGreaterThan(0);
    expect(sessionCookieOf(blocked)).toBeNull();
  });
  it("refuses a batch of sign-ins as a whole, before any password is checked", async () => {
    const email = await newAccount();
    const guesses = Array.from({ length: 10 }, (_, attempt) => ({ email, password: attempt === 9 ? TEST_PASSWORD : `batched guess ${attempt}` }));
    const response = await mutate(
      base,
      `${Array(10).fill("auth.login").join(",")}?batch=1`,
      Object.fromEntries(guesses.map((guess, index) => [index, guess])),
    );
    expect(response.status).toBe(400);
    expect(sessionCookieOf(response)).toBeNull();
    const body = (await response.json()) as TrpcBody[];
    expect(body).toHaveLength(10);
    for (const one of body) {
      expect(one.error.message).toBe("Refused: a sign-in (auth.login) must be sent on its own, not batched with other calls. Sign in again.");
      expect(one.error.data.code).toBe("BAD_REQUEST");
    }
    const mixed = await mutate(base, "auth.logout,auth.login?batch=1", { 1: { email, password: TEST_PASSWORD } });
    expect(mixed.status).toBe(400);
    // A single sign-in in the batch format (what the web app's client sends) still works,
    // and none of the refused guesses counted against the account.
    const alone = await mutate(base, "auth.login?batch=1", { 0: { email, password: TEST_PASSWORD } });
    expect(alone.status).toBe(200);
    expect(sessionCookieOf(alone)).not.toBeNull();
  });

  it("counts the proxy's address, not addresses the client wrote into X-Forwarded-For", async () => {
    const email = await newAccount();
    const behindProxy = await start({ trustProxy: true });
    const viaProxy = (claimed: string, client = "192.0.2.44") => ({ headers: { "x-forwarded-for": `${claimed}, ${client}` } });
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const response = await mutate(behindProxy, "auth.login", { email, password: "wrong password" }, viaProxy(`10.0.0.${attempt}`));
      expect(response.status).toBe(401);
    }
    const rotated = await mutate(behindProxy, "auth.login", { email, password: TEST_PASSWORD }, viaProxy("10.0.0.99"));
    expect(rotated.status).toBe(429);
    // Another client behind the same proxy is counted on its own.
    const other = await mutate(behindProxy, "auth.login", { email, password: TEST_PASSWORD }, viaProxy("10.0.0.99", "192.0.2.45"));
    expect(other.status).toBe(200);
  });
});

describe("API errors", () => {
  it("carry the newest revision when a save conflicts", async () => {
    const author = await signedInUser(database.db);
    const project = await projectWithMembers(database.db, [{ session: author, roles: ["author"] }]);
    const cookie = await logIn(base, author.user.email);
    const created = await bodyOf(await mutate(base, "examples.create", { projectSlug: project.slug }, { cookie }));
    const exampleId = created.result.data.id as string;
    const example = await bodyOf(await query(base, "examples.get", { exampleId }, cookie));
    const base1 = example.result.data.head.id as string;
    const doc = (text: string) => {
      const converted = textToDoc(text);
      if (!converted.ok) throw new Error("invalid");
      return converted.doc.toJSON();
    };
    expect((await mutate(base, "examples.save", { exampleId, baseRevisionId: base1, doc: doc("Mine") }, { cookie })).status).toBe(200);
    const conflict = await mutate(base, "examples.save", { exampleId, baseRevisionId: base1, doc: doc("Theirs") }, { cookie });
    expect(conflict.status).toBe(409);
    const body = await bodyOf(conflict);
    expect(body.error.data.code).toBe("CONFLICT");
    expect(body.error.data.details.headRevision).toMatchObject({ number: 2, text: "Mine" });
  });

  it("say in words what was wrong with the input", async () => {
    const response = await mutate(base, "auth.login", { email: 42 });
    expect(response.status).toBe(400);
    expect((await bodyOf(response)).error.message).toMatch(/^The request was not accepted: email: .*password: /);
  });

  it("carry no stack trace", async () => {
    const responses = [
      await query(base, "projects.list", undefined),
      await mutate(base, "auth.login", { email: 42 }),
      await query(base, "examples.get", { exampleId: "missing" }, await logIn(base, await newAccount())),
    ];
    for (const response of responses) {
      expect(response.status).toBeGreaterThanOrEqual(400);
      const text = await response.text();
      expect(text).not.toContain('"stack"');
      expect(text).not.toMatch(/\bat .*\.ts:\d+/);
    }
  });

  it("answer a save too large to accept with a tRPC error that says what to do", async () => {
    const author = await signedInUser(database.db);
    const cookie = await logIn(base, author.user.email);
    const huge = "x".repeat(11 * 1024 * 1024);
    const response = await mutate(base, "examples.save?batch=1", { 0: { exampleId: "e", baseRevisionId: "r", doc: huge } }, { cookie });
    expect(response.status).toBe(413);
    const body = (await response.json()) as unknown;
    expect(body).toEqual([
      {
        error: {
          message: "The text is too long to save: the server accepts at most 4 MB per save. Split the example into several shorter examples and save each one.",
          code: -32013,
          data: { code: "PAYLOAD_TOO_LARGE", httpStatus: 413, path: "examples.save", details: null },
        },
      },
    ]);
    const single = await mutate(base, "examples.save", { exampleId: "e", baseRevisionId: "r", doc: huge }, { cookie });
    expect(single.status).toBe(413);
    expect(((await single.json()) as TrpcBody).error.data.code).toBe("PAYLOAD_TOO_LARGE");
  });

  it("answer an anonymous call to a protected procedure with 401", async () => {
    const response = await query(base, "projects.list", undefined);
    expect(response.status).toBe(401);
    expect((await bodyOf(response)).error.message).toBe("You are not signed in. Sign in and try again.");
  });
});

describe("the web app", () => {
  it("is served at / and for every client-side route", async () => {
    for (const path of ["/", "/examples/abc123", "/projects/demo/members"]) {
      const response = await fetch(`${base}${path}`);
      expect(response.status, path).toBe(200);
      expect(response.headers.get("content-type")).toContain("text/html");
      expect(await response.text()).toContain("<title>Prealign Studio</title>");
    }
  });

  it("serves built assets with long caching, and 404 for missing files", async () => {
    const asset = await fetch(`${base}/assets/app-1234.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get("cache-control")).toContain("immutable");
    expect((await fetch(`${base}/assets/missing.js`)).status).toBe(404);
    expect((await fetch(`${base}/trpc/no.such.procedure`)).status).toBe(404);
  });

  it("says how to build it when it has not been built", async () => {
    const unbuilt = await start({ webRoot: join(webRoot, "missing") });
    const response = await fetch(`${unbuilt}/`);
    expect(response.status).toBe(503);
    expect(await response.text()).toContain("npm run build");
  });
});

describe("/healthz", () => {
  it("reports that the server and database answer", async () => {
    const response = await fetch(`${base}/healthz`);
    expect(response.status).toBe(200);
    expect(await bodyOf(response)).toEqual({ status: "ok" });
  });
});

/** A Content-Security-Policy header as its directives, each with its sources. */
function directivesOf(header: string | null): Record<string, string[]> {
  const directives: Record<string, string[]> = {};
  for (const directive of (header ?? "").split(";")) {
    const [name, ...sources] = directive.trim().split(/\s+/);
    if (name) directives[name] = sources;
  }
  return directives;
}

describe("security headers", () => {
  it("are on every response: a page, a static asset, a tRPC answer, /healthz, a 404 and a refusal", async () => {
    const responses = {
      page: await fetch(`${base}/examples/abc123`),
      asset: await fetch(`${base}/assets/app-1234.js`),
      trpc: await query(base, "auth.me", undefined),
      healthz: await fetch(`${base}/healthz`),
      missing: await fetch(`${base}/assets/missing.js`),
      refused: await fetch(`${base}/trpc/auth.logout`, { method: "POST" }),
    };
    for (const [name, response] of Object.entries(responses)) {
      expect(directivesOf(response.headers.get("content-security-policy")), name).toEqual({
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
      });
      expect(response.headers.get("x-content-type-options"), name).toBe("nosniff");
      expect(response.headers.get("x-frame-options"), name).toBe("DENY");
      expect(response.headers.get("referrer-policy"), name).toBe("same-origin");
      expect(response.headers.get("cross-origin-opener-policy"), name).toBe("same-origin");
      expect(response.headers.get("cross-origin-resource-policy"), name).toBe("same-origin");
    }
    expect(responses.page.status).toBe(200);
    expect(responses.asset.status).toBe(200);
    expect(responses.missing.status).toBe(404);
    expect(responses.refused.status).toBe(403);
  });

  it("allow no inline script, no other origin, and no upgrade to an https: that plain http lacks", async () => {
    const policy = (await fetch(`${base}/`)).headers.get("content-security-policy")!;
    expect(policy).not.toContain("unsafe-inline");
    expect(policy).not.toContain("unsafe-eval");
    expect(policy).not.toMatch(/https?:|\*/);
    expect(policy).not.toContain("upgrade-insecure-requests");
  });

  it("ask for HTTPS only (HSTS) when the browser came over HTTPS, never on plain HTTP", async () => {
    for (const path of ["/", "/healthz", "/trpc/auth.me"]) {
      expect((await fetch(`${base}${path}`)).headers.get("strict-transport-security"), path).toBeNull();
    }
    // Without trustProxy a client cannot claim HTTPS by writing the header itself.
    const claimed = await fetch(`${base}/`, { headers: { "x-forwarded-proto": "https" } });
    expect(claimed.headers.get("strict-transport-security")).toBeNull();
    const behindProxy = await start({ trustProxy: true });
    const overHttps = await fetch(`${behindProxy}/`, { headers: { "x-forwarded-proto": "https" } });
    expect(overHttps.headers.get("strict-transport-security")).toBe("max-age=31536000; includeSubDomains");
    const overHttp = await fetch(`${behindProxy}/`, { headers: { "x-forwarded-proto": "http" } });
    expect(overHttp.headers.get("strict-transport-security")).toBeNull();
    const insisting = await start({ secureCookies: true });
    expect((await fetch(`${insisting}/healthz`)).headers.get("strict-transport-security")).toBe("max-age=31536000; includeSubDomains");
  });
});

describe("tRPC batches", () => {
  const batchOf = (path: string, size: number) => `${Array(size).fill(path).join(",")}?batch=1`;

  it("of 20 calls, the most allowed, are answered call by call", async () => {
    expect(MAX_BATCH_SIZE).toBe(20);
    const response = await fetch(`${base}/trpc/${batchOf("auth.me", 20)}`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as TrpcBody[];
    expect(body).toHaveLength(20);
    for (const one of body) expect(one.result.data).toBeNull();
  });

  it("of 21 calls are refused with 400 before any call runs, saying what to do", async () => {
    const message =
      "Refused: the request batches 21 calls, but the server accepts at most 20 calls per request. Send the calls in several requests of at most 20 each.";
    const queries = await fetch(`${base}/trpc/${batchOf("auth.me", 21)}`);
    expect(queries.status).toBe(400);
    const body = (await queries.json()) as TrpcBody;
    expect(body.error.message).toBe(message);
    expect(body.error.data.code).toBe("BAD_REQUEST");

    const author = await signedInUser(database.db);
    const project = await projectWithMembers(database.db, [{ session: author, roles: ["author"] }]);
    const cookie = await logIn(base, author.user.email);
    const examplesBefore = await database.db.example.count();
    const inputs = Object.fromEntries(Array.from({ length: 21 }, (_, index) => [index, { projectSlug: project.slug }]));
    const mutations = await mutate(base, batchOf("examples.create", 21), inputs, { cookie });
    expect(mutations.status).toBe(400);
    expect(((await mutations.json()) as TrpcBody).error.message).toBe(message);
    expect(await database.db.example.count()).toBe(examplesBefore);
  });
});
