/**
 * The HTTP server: the tRPC API at `/trpc`, the built web app (with the single-page
 * fallback to `index.html`) and `/healthz`, on one port. Cross-site request forgery is
 * refused before any handler runs: every request that can change something must carry the
 * `x-studio-csrf: 1` header (which a cross-site form cannot send) and, when the browser
 * names an `Origin`, come from this server's own origin.
 */
import { existsSync } from "node:fs";
import { extname, join } from "node:path";
import fastifyCookie from "@fastify/cookie";
import fastifyStatic from "@fastify/static";
import { fastifyTRPCPlugin, type CreateFastifyContextOptions } from "@trpc/server/adapters/fastify";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from "fastify";
import type { Db } from "./db/database.ts";
import { appRouter, type AppRouter } from "./router.ts";
import { DEFAULT_LOGIN_LIMITS, LoginLimiter, type LoginLimits } from "./services/login-limiter.ts";
import { resumeSession } from "./services/sessions.ts";
import type { Context, SessionCookie } from "./trpc.ts";

/** The name of the session cookie. */
export const SESSION_COOKIE = "studio_session";

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
  /** Trust `X-Forwarded-*` headers from a reverse proxy for the client address and protocol. */
  trustProxy?: boolean;
  /** Login throttling limits. */
  loginLimits?: LoginLimits;
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

function refuse(reply: FastifyReply, message: string): FastifyReply {
  // Shaped like a tRPC error so that the web app's client shows the message.
  return reply.code(403).send({ error: { message, code: -32003, data: { code: "FORBIDDEN", httpStatus: 403 } } });
}

function checkRequestForgery(request: FastifyRequest, reply: FastifyReply, done: () => void): void {
  if (SAFE_METHODS.has(request.method)) return done();
  if (request.headers[CSRF_HEADER] !== "1") {
    refuse(
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
  const loginLimiter = new LoginLimiter(options.loginLimits ?? DEFAULT_LOGIN_LIMITS);
  const server = Fastify({
    logger: options.logger ?? false,
    trustProxy: options.trustProxy ?? false,
    bodyLimit: 10 * 1024 * 1024,
    // Batched tRPC queries put every procedure name in the path.
    routerOptions: { maxParamLength: 5000 },
  });

  await server.register(fastifyCookie);
  server.addHook("onRequest", checkRequestForgery);

  const createContext = async ({ req, res }: CreateFastifyContextOptions): Promise<Context> => {
    const sessionCookie = sessionCookieFor(req, res, options.secureCookies ?? false);
    const token = req.cookies[SESSION_COOKIE];
    const session = token ? await resumeSession(db, token) : null;
    if (token && !session) sessionCookie.clear();
    return { db, session, clientAddress: req.ip, loginLimiter, sessionCookie };
  };

  await server.register(fastifyTRPCPlugin<AppRouter>, {
    prefix: "/trpc",
    trpcOptions: {
      router: appRouter,
      createContext,
      onError({ error, path, req }) {
        if (error.code === "INTERNAL_SERVER_ERROR") req.log.error({ err: error.cause ?? error, path }, "procedure failed");
      },
    },
  });

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
