/**
 * The HTTP server: the tRPC API at `/trpc`, the built web app (with the single-page
 * fallback to `index.html`) and `/healthz`, on one port. Cross-site request forgery is
 * refused before any handler runs: every request that can change something must carry the
 * `x-studio-csrf: 1` header (which a cross-site form cannot send) and, when the browser
 * names an `Origin`, come from this server's own origin. Every response carries security
 * headers (a Content-Security-Policy that allows nothing but this origin, no framing, no
 * MIME sniffing), and a tRPC batch may hold at most {@link MAX_BATCH_SIZE} calls.
 *
 * Operations: every request has an id ({@link REQUEST_ID_HEADER}: the caller's, when it sends
 * a plain one, else a new one), which the answer echoes and every log line of the request
 * carries (`requestId` in Fastify's JSON log lines). `/healthz` asks the database and answers
 * 503 with the reason when it does not answer. Closing the server (what `studio serve` does on
 * SIGTERM) stops taking connections, lets the requests under way finish (a save in flight is
 * stored and answered), then stops the background jobs of this server between two batches.
 */
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import { Transform, type Duplex, type Readable } from "node:stream";
import { extname, join, resolve } from "node:path";
import fastifyCookie from "@fastify/cookie";
import fastifyHelmet from "@fastify/helmet";
import fastifyStatic from "@fastify/static";
import { getErrorShape, transformTRPCResponse, TRPCError } from "@trpc/server";
import { fastifyTRPCPlugin, type CreateFastifyContextOptions } from "@trpc/server/adapters/fastify";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from "fastify";
import type { Db } from "./db/database.ts";
import { registerDataRoutes } from "./data-routes.ts";
import { appRouter, type AppRouter } from "./router.ts";
import { recoverJobs, stopRunningJobs } from "./services/jobs.ts";
import { DocumentChecker } from "./services/documents.ts";
import { DEFAULT_LOGIN_LIMITS, LoginLimiter, type LoginLimits } from "./services/login-limiter.ts";
import { resumeSession } from "./services/sessions.ts";
import type { Context, SessionCookie } from "./trpc.ts";

/** The name of the session cookie. */
export const SESSION_COOKIE = "studio_session";

/** The header that carries a request's id, in the request (optional) and in its answer. */
export const REQUEST_ID_HEADER = "x-request-id";

/**
 * What an incoming request id may look like to be kept: short and plain, so that a client
 * cannot write line breaks or kilobytes into the logs through it.
 */
const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** The request's id: the caller's {@link REQUEST_ID_HEADER} when it is plain, else a new UUID. */
function requestIdOf(request: IncomingMessage): string {
  const incoming = request.headers[REQUEST_ID_HEADER];
  return typeof incoming === "string" && REQUEST_ID_PATTERN.test(incoming) ? incoming : randomUUID();
}

/** Echoes the request's id in the answer, so that a person reporting a problem can quote it. */
function echoRequestId(request: FastifyRequest, reply: FastifyReply, done: () => void): void {
  reply.header(REQUEST_ID_HEADER, request.id);
  done();
}

/** The header every state-changing request must carry, with the value `1`. */
export const CSRF_HEADER = "x-studio-csrf";

/** How to build the server. */
export interface ServerOptions {
  /** The database. */
  db: Db;
  /** The built web app (`apps/web/dist`); without it only the API is served. */
  webRoot?: string;
  /** Fastify's logger: `false` for silence (tests), or pino options. Defaults to silence. */
  logger?: FastifyServerOptions["logger"];
  /** Mark the session cookie `Secure` even on plain HTTP (behind a TLS-terminating proxy). */
  secureCookies?: boolean;
  /**
   * Run behind one reverse proxy: trust one hop, the peer that connects to this server, and
   * take the client address from the rightmost `X-Forwarded-For` entry (the one that proxy
   * added) and the protocol and host from its `X-Forwarded-Proto`/`-Host`. Entries further
   * left were written by the client and are ignored, so that nobody can pick the address the
   * login throttle counts. Only the proxy must be able to reach the server's port. (Fastify's
   * numeric `trustProxy: 1` would trust no header at all in this version, so the one hop is
   * given as a function.)
   */
  trustProxy?: boolean;
  /** Login throttling limits. */
  loginLimits?: LoginLimits;
  /** The data folder for uploads and snapshots; defaults to `STUDIO_DATA_DIR`, else `./data`. */
  dataDir?: string;
  /** The largest upload to import, in megabytes; defaults to `STUDIO_IMPORT_MAX_MB`, else 2048. */
  importMaxMb?: number;
}

/**
 * The largest request body of a call that carries a document or guidelines
 * ({@link DOCUMENT_PROCEDURES}), in megabytes: room for the JSON of the largest example the
 * core's `DOCUMENT_LIMITS` allow (about 2 MB), sent as JSON text.
 */
export const BODY_LIMIT_MB = 4;

/** The largest request body of every other call, in kilobytes. */
export const SMALL_BODY_LIMIT_KB = 64;

/** The procedures whose input holds a document or guidelines, and so may be large. */
const DOCUMENT_PROCEDURES = new Set(["examples.save", "guidelines.update"]);

/** Whether a tRPC call carries a document (a batch counts if any of its calls does). */
function carriesDocument(call: { paths: string[] }): boolean {
  return call.paths.some((path) => DOCUMENT_PROCEDURES.has(path));
}

/**
 * The most calls one tRPC batch may hold. A batch runs its calls side by side, so without a
 * cap one request could start any number of database queries. The web app's batch link
 * sends at most this many calls per request (`maxItems` in apps/web/src/trpc.ts).
 */
export const MAX_BATCH_SIZE = 20;

/**
 * The Content-Security-Policy of every response. Everything the built web app loads (its one
 * script, its stylesheet, the favicon, the `/trpc` calls) comes from this origin, and nothing
 * may leave the machine, so no other origin is named anywhere. Scripts and styles are allowed
 * from files only: the built `index.html` has no inline script or style, and the style
 * properties that React and ProseMirror set go through the CSSOM, which the policy does not
 * govern. Images may also be `data:` URLs (an icon inlined into a stylesheet or by a
 * library), which cannot carry script. There is deliberately no `upgrade-insecure-requests`:
 * the studio is often served over plain `http://localhost`, where it would send the browser
 * to an `https:` that is not there.
 */
const CONTENT_SECURITY_POLICY = {
  "default-src": ["'self'"],
  "script-src": ["'self'"],
  "style-src": ["'self'"],
  "img-src": ["'self'", "data:"],
  "connect-src": ["'self'"],
  "object-src": ["'none'"],
  "base-uri": ["'self'"],
  "form-action": ["'self'"],
  "frame-ancestors": ["'none'"],
};

/**
 * The Strict-Transport-Security header, sent only on responses that reach the browser over
 * HTTPS (see {@link sendStrictTransportSecurity}); helmet's default value.
 */
const STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains";

/** The procedure that must travel in a request of its own; see {@link refuseBatchedLogin}. */
const LOGIN_PROCEDURE = "auth.login";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Fastify's proxy trust for {@link ServerOptions.trustProxy}: the connecting peer (hop 0) only. */
function trustOneHop(_address: string, hop: number): boolean {
  return hop === 0;
}

/** The tRPC call a request makes: the procedure paths its URL names, and whether it is a batch. */
function trpcCallOf(request: FastifyRequest): { paths: string[]; batch: boolean } | null {
  const url = new URL(request.url, "http://studio.invalid");
  if (!url.pathname.startsWith("/trpc/")) return null;
  let joined: string;
  try {
    joined = decodeURIComponent(url.pathname.slice("/trpc/".length));
  } catch {
    return null;
  }
  const batch = url.searchParams.get("batch") === "1";
  return { paths: batch ? joined.split(",") : [joined], batch };
}

/**
 * Answers a tRPC request with `error` exactly as tRPC would have, for errors raised before
 * tRPC sees the request: the same formatter, one error per call and an array for a batch,
 * so that the web app's client shows the message instead of failing to read the response.
 * With `wholeBatch`, a batch is answered with one error that stands for all its calls, as
 * tRPC answers a batch it refuses as a whole (its client gives that error to every call).
 */
function sendTrpcError(request: FastifyRequest, reply: FastifyReply, error: TRPCError, wholeBatch = false): FastifyReply {
  const config = appRouter._def._config;
  const call = trpcCallOf(request) ?? { paths: [""], batch: false };
  const type = request.method === "GET" ? "query" : "mutation";
  const shapeFor = (path: string | undefined) => ({ error: getErrorShape({ config, error, type, path, input: undefined, ctx: undefined }) });
  const body =
    call.batch && !wholeBatch
      ? transformTRPCResponse(config, call.paths.map(shapeFor))
      : transformTRPCResponse(config, shapeFor(call.batch ? undefined : call.paths[0]));
  return reply.code(getHTTPStatusCodeFromError(error)).send(body);
}

/**
 * Tells the browser to use HTTPS only, on responses that reach it over HTTPS: the request
 * came over TLS (directly or, with {@link ServerOptions.trustProxy}, through the proxy), or
 * the server was told with {@link ServerOptions.secureCookies} that a TLS-terminating proxy
 * stands in front. Over plain HTTP the header means nothing (browsers ignore it there) and
 * is not sent, so that the studio on `http://localhost` does not claim to be HTTPS-only.
 */
function sendStrictTransportSecurity(secureCookies: boolean) {
  return (request: FastifyRequest, reply: FastifyReply, done: () => void): void => {
    if (secureCookies || request.protocol === "https") reply.header("strict-transport-security", STRICT_TRANSPORT_SECURITY);
    done();
  };
}

/**
 * Refuses a tRPC batch of more than {@link MAX_BATCH_SIZE} calls before any of them runs.
 * tRPC's own `maxBatchSize` refusal only says "Batch call exceeds maximum size"; this one
 * says what the limit is and what to do. The refusal is one error for the whole batch, so
 * that the answer to a request naming thousands of calls is not thousands of errors long.
 */
function refuseOversizedBatches(request: FastifyRequest, reply: FastifyReply, done: () => void): void {
  const call = trpcCallOf(request);
  if (call && call.batch && call.paths.length > MAX_BATCH_SIZE) {
    sendTrpcError(
      request,
      reply,
      new TRPCError({
        code: "BAD_REQUEST",
        message:
          `Refused: the request batches ${call.paths.length} calls, but the server accepts at most ${MAX_BATCH_SIZE} calls per request. ` +
          `Send the calls in several requests of at most ${MAX_BATCH_SIZE} each.`,
      }),
      true,
    );
    return;
  }
  done();
}

/**
 * Refuses a request that signs in together with other calls, or several times at once. The
 * login throttle counts attempts one by one; a batch of guesses in one request must not be
 * a way around it (tRPC can only allow or forbid batching for all procedures at once).
 */
function refuseBatchedLogin(request: FastifyRequest, reply: FastifyReply, done: () => void): void {
  const call = trpcCallOf(request);
  if (call && call.paths.length > 1 && call.paths.includes(LOGIN_PROCEDURE)) {
    sendTrpcError(
      request,
      reply,
      new TRPCError({
        code: "BAD_REQUEST",
        message: `Refused: a sign-in (${LOGIN_PROCEDURE}) must be sent on its own, not batched with other calls. Sign in again.`,
      }),
    );
    return;
  }
  done();
}

/** Fastify's error for a body over the limit, which {@link answerTooLargeBodies} answers. */
function bodyTooLarge(): FastifyError {
  return Object.assign(new Error("Request body is too large"), { code: "FST_ERR_CTP_BODY_TOO_LARGE", name: "FastifyError", statusCode: 413 });
}

/**
 * Holds every tRPC call but a document's to {@link SMALL_BODY_LIMIT_KB}: reading and walking a
 * body of megabytes takes seconds, and no other input is more than a few kilobytes. Counted as
 * the body arrives, so a body without a length (chunked) is cut off too.
 */
function limitSmallBodies(request: FastifyRequest, _reply: FastifyReply, payload: Readable, done: (error: Error | null, body?: Readable) => void): void {
  const call = trpcCallOf(request);
  if (!call || carriesDocument(call)) return done(null, payload);
  const limit = SMALL_BODY_LIMIT_KB * 1024;
  if (Number(request.headers["content-length"] ?? 0) > limit) return done(bodyTooLarge());
  let received = 0;
  const counted = payload.pipe(
    new Transform({
      transform(chunk: Buffer, _encoding, next) {
        received += chunk.length;
        next(received > limit ? bodyTooLarge() : null, chunk);
      },
    }),
  );
  payload.on("error", (error) => counted.destroy(error));
  done(null, counted);
}

/**
 * Answers a body over its limit on the tRPC route as a tRPC error that says what to do;
 * Fastify's own 413 answer is not one, and the client could only say that it could not read
 * the response. Every other error keeps Fastify's default handling.
 */
function answerTooLargeBodies(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply | void {
  const call = trpcCallOf(request);
  if (error.code === "FST_ERR_CTP_BODY_TOO_LARGE" && call) {
    const message = carriesDocument(call)
      ? `The text is too long to save: the server accepts at most ${BODY_LIMIT_MB} MB per save. ` +
        `Split the example into several shorter examples and save each one.`
      : `The request is too large: the server accepts at most ${SMALL_BODY_LIMIT_KB} KB for this call. Send less, or split it into several calls.`;
    return sendTrpcError(request, reply, new TRPCError({ code: "PAYLOAD_TOO_LARGE", message }));
  }
  return reply.send(error);
}

/**
 * Answers a request the HTTP parser refused before Fastify saw it (an address or headers over
 * Node's 16 KB, most often a query whose input is too long for a URL) with a tRPC-shaped error,
 * so that the web app can show what happened instead of failing to read the answer.
 */
function answerClientErrors(error: Error & { code?: string }, socket: Duplex): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const headersTooLarge = error.code === "HPE_HEADER_OVERFLOW";
  const status = headersTooLarge ? 431 : 400;
  const message = headersTooLarge
    ? "The request's address or headers are too long (at most 16 KB). Send a large input with a POST body instead."
    : "The request could not be read as HTTP.";
  const body = JSON.stringify({ error: { message, code: -32600, data: { code: "BAD_REQUEST", httpStatus: status, details: null } } });
  socket.end(
    `HTTP/1.1 ${status} ${headersTooLarge ? "Request Header Fields Too Large" : "Bad Request"}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** Refuses a forged request with a tRPC-shaped 403, so that the web app shows the message. */
function refuse(request: FastifyRequest, reply: FastifyReply, message: string): FastifyReply {
  return sendTrpcError(request, reply, new TRPCError({ code: "FORBIDDEN", message }));
}

function checkRequestForgery(request: FastifyRequest, reply: FastifyReply, done: () => void): void {
  if (SAFE_METHODS.has(request.method)) return done();
  if (request.headers[CSRF_HEADER] !== "1") {
    refuse(
      request,
      reply,
      `Refused: the request lacks the ${CSRF_HEADER} header that the studio's own pages send. ` +
        `If you are using the studio in a browser, reload the page; scripts must send "${CSRF_HEADER}: 1".`,
    );
    return;
  }
  const origin = request.headers.origin;
  const ownOrigin = `${request.protocol}://${request.host}`;
  if (origin !== undefined && origin !== ownOrigin) {
    refuse(
      request,
      reply,
      `Refused: the request comes from ${origin}, another site than this studio (${ownOrigin}). ` +
        `Open the studio at ${ownOrigin} and try again.`,
    );
    return;
  }
  done();
}

function sessionCookieFor(request: FastifyRequest, reply: FastifyReply, forceSecure: boolean): SessionCookie {
  const attributes = {
    path: "/",
    httpOnly: true,
    sameSite: "lax" as const,
    secure: forceSecure || request.protocol === "https",
  };
  return {
    issue: (session) => void reply.setCookie(SESSION_COOKIE, session.token, { ...attributes, expires: session.expiresAt }),
    clear: () => void reply.clearCookie(SESSION_COOKIE, attributes),
  };
}

/**
 * Builds the server (not yet listening). Call `listen` on the result; `close` stops it but
 * leaves the database open.
 */
export async function createServer(options: ServerOptions): Promise<FastifyInstance> {
  const { db } = options;
  const dataDir = resolve(options.dataDir ?? process.env.STUDIO_DATA_DIR ?? "data");
  const loginLimiter = new LoginLimiter(options.loginLimits ?? DEFAULT_LOGIN_LIMITS);
  const documents = new DocumentChecker();
  const server = Fastify({
    logger: options.logger ?? false,
    trustProxy: options.trustProxy ? trustOneHop : false,
    bodyLimit: BODY_LIMIT_MB * 1024 * 1024,
    // Batched tRPC queries put every procedure name in the path.
    routerOptions: { maxParamLength: 5000 },
    clientErrorHandler: answerClientErrors,
    genReqId: requestIdOf,
    logController: new LogController({ requestIdLogLabel: "requestId" }),
  });

  server.addHook("onRequest", echoRequestId);
  // While closing, every answer asks the client to close its connection: a kept-alive
  // connection would otherwise keep the server from ever finishing its close.
  let closing = false;
  server.addHook("preClose", (done) => {
    closing = true;
    done();
  });
  server.addHook("onSend", async (_request, reply) => {
    if (closing) reply.header("connection", "close");
  });
  // onClose runs once the requests under way have been answered.
  server.addHook("onClose", async () => {
    await stopRunningJobs(db);
    await documents.close();
  });
  await server.register(fastifyCookie);
  // Registered before the hooks below, so that its onRequest hook sets the headers before any
  // of them can answer: refusals, 404s, static files and tRPC responses all carry them.
  await server.register(fastifyHelmet, {
    contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
    // No Referer to any other site. Not `no-referrer`: under it a browser sends
    // `Origin: null` with a same-origin form post (fetch keeps the origin), which
    // checkRequestForgery would refuse.
    referrerPolicy: { policy: "same-origin" },
    xFrameOptions: { action: "deny" },
    // Sent by sendStrictTransportSecurity, and only over HTTPS.
    strictTransportSecurity: false,
  });
  server.addHook("onRequest", sendStrictTransportSecurity(options.secureCookies ?? false));
  server.addHook("onRequest", checkRequestForgery);
  server.addHook("onRequest", refuseOversizedBatches);
  server.addHook("onRequest", refuseBatchedLogin);
  server.addHook("preParsing", limitSmallBodies);
  server.setErrorHandler(answerTooLargeBodies);

  const createContext = async ({ req, res }: CreateFastifyContextOptions): Promise<Context> => {
    const sessionCookie = sessionCookieFor(req, res, options.secureCookies ?? false);
    const token = req.cookies[SESSION_COOKIE];
    const session = token ? await resumeSession(db, token) : null;
    if (token && !session) sessionCookie.clear();
    return { db, session, clientAddress: req.ip, loginLimiter, documents, sessionCookie, dataDir };
  };

  await server.register(fastifyTRPCPlugin<AppRouter>, {
    prefix: "/trpc",
    trpcOptions: {
      router: appRouter,
      createContext,
      // refuseOversizedBatches answers first, with a clearer message; this holds the same cap
      // should a batch ever reach tRPC by another way.
      maxBatchSize: MAX_BATCH_SIZE,
      onError({ error, path, req }) {
        if (error.code === "INTERNAL_SERVER_ERROR") req.log.error({ err: error.cause ?? error, path }, "procedure failed");
      },
    },
  });

  registerDataRoutes(server, {
    db,
    dataDir,
    sessionCookie: SESSION_COOKIE,
    importMaxMb: options.importMaxMb ?? (Number(process.env.STUDIO_IMPORT_MAX_MB) || undefined),
  });
  // Imports and exports that a stopped process left half-done are failed and undone.
  await recoverJobs(db);

  server.get("/healthz", async (_request, reply) => {
    try {
      await db.$queryRawUnsafe("SELECT 1");
      return { status: "ok" };
    } catch (error) {
      server.log.error({ err: error }, "health check: database unavailable");
      return reply.code(503).send({ status: "unavailable", reason: "The database does not answer." });
    }
  });

  const webRoot = options.webRoot !== undefined && existsSync(join(options.webRoot, "index.html")) ? options.webRoot : null;
  if (webRoot) {
    await server.register(fastifyStatic, {
      root: webRoot,
      cacheControl: false,
      setHeaders(res, path) {
        // Vite puts content-hashed files under assets/; everything else may change on deploy.
        const hashed = path.startsWith(join(webRoot, "assets", "/"));
        res.setHeader("cache-control", hashed ? "public, max-age=31536000, immutable" : "no-cache");
      },
    });
  }

  server.setNotFoundHandler((request, reply) => {
    const path = request.url.split("?")[0] ?? "/";
    const isPage =
      (request.method === "GET" || request.method === "HEAD") && !path.startsWith("/trpc") && extname(path) === "";
    if (!isPage) {
      return reply.code(404).send({ error: "Not found", message: `Nothing is served at ${path}.` });
    }
    if (!webRoot) {
      return reply
        .code(503)
        .type("text/plain; charset=utf-8")
        .send("The web app has not been built. Run `npm run build`, then restart the server.");
    }
    // Client-side routes (/examples/<id>, …) all load the app, which routes itself.
    return reply.header("cache-control", "no-cache").type("text/html; charset=utf-8").sendFile("index.html");
  });

  return server;
}
