/**
 * The HTTP routes that move files, for project admins (tRPC carries JSON, not files):
 *
 * - `POST /api/projects/:slug/imports?stage=draft|review|accepted&name=FILE` — the request body
 *   is the `.jsonl` file, streamed to the data folder as it arrives (never held in memory), then
 *   imported as a background job; answers `{ job }`.
 * - `GET /api/projects/:slug/imports/:jobId/rejects` — an import's rejects file.
 * - `GET /api/projects/:slug/snapshots/:id/files/<path>` — one file of a snapshot: its card,
 *   manifest, grammar or a shard the manifest lists.
 *
 * The request-forgery check of `server.ts` covers the upload like every other POST. Errors
 * are answered as `{ error, message }` with a message that says what to do.
 */
import { randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, rm, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Db } from "./db/database.ts";
import { DomainError } from "./errors.ts";
import { findProjectAccess, holdsAnyRole, type ProjectAccess } from "./services/access.ts";
import { getSnapshot, importsFolder, startImport } from "./services/data-jobs.ts";
import { getJob } from "./services/jobs.ts";
import { resumeSession } from "./services/sessions.ts";

/** The largest file an upload may carry, in megabytes (`STUDIO_IMPORT_MAX_MB`). */
export const DEFAULT_IMPORT_MAX_MB = 2048;

const STAGES = ["draft", "review", "accepted"] as const;

/** A failure of a file route: its status and a message a person can act on. */
class RouteError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const STATUS_OF_KIND: Record<DomainError["kind"], number> = {
  not_found: 404,
  forbidden: 403,
  conflict: 409,
  invalid: 400,
  unauthenticated: 401,
  rate_limited: 429,
};

function answer(reply: FastifyReply, error: unknown): FastifyReply {
  if (error instanceof RouteError) return reply.code(error.status).send({ error: error.status, message: error.message });
  if (error instanceof DomainError) {
    const status = STATUS_OF_KIND[error.kind];
    return reply.code(status).send({ error: status, message: error.message });
  }
  throw error;
}

/** The caller's standing in the project the route names, who must be one of its admins. */
async function adminAccess(db: Db, request: FastifyRequest, sessionCookie: string): Promise<ProjectAccess> {
  const token = request.cookies[sessionCookie];
  const session = token ? await resumeSession(db, token) : null;
  if (!session) throw new RouteError(401, "Sign in first: this needs a project admin's session.");
  const { slug } = request.params as { slug: string };
  const access = await findProjectAccess(db, { projectSlug: slug }, session.user);
  if (!holdsAnyRole(access, ["admin"])) {
    throw new RouteError(403, `Only admins of "${access.projectSlug}" can import and export its data; ask one of them.`);
  }
  return access;
}

/** Counts the bytes of an upload as they arrive and stops it past `limit`. */
function byteLimit(limit: number): Transform {
  let received = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, next) {
      received += chunk.length;
      if (received > limit) {
        next(new RouteError(413, `The file is larger than the ${Math.round(limit / 1024 / 1024)} MB an upload may carry. Split it, or import it with \`studio import\` on the server.`));
        return;
      }
      next(null, chunk);
    },
  });
}

/** Registers the file routes on `server`. */
export function registerDataRoutes(server: FastifyInstance, options: { db: Db; dataDir: string; sessionCookie: string; importMaxMb?: number }): void {
  const { db, dataDir, sessionCookie } = options;
  const limit = (options.importMaxMb ?? DEFAULT_IMPORT_MAX_MB) * 1024 * 1024;

  // Uploads arrive as a stream; the route reads it itself instead of letting Fastify buffer it.
  server.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", (_request, payload, done) => done(null, payload));

    scope.post("/api/projects/:slug/imports", async (request, reply) => {
      let file: string | null = null;
      try {
        const access = await adminAccess(db, request, sessionCookie);
        const query = request.query as { stage?: string; name?: string };
        const stage = STAGES.find((known) => known === query.stage);
        if (!stage) throw new RouteError(400, `Say which stage the examples enter: ?stage=${STAGES.join("|")}.`);
        const fileName = basename(query.name?.trim() || "upload.jsonl").slice(0, 200);
        await mkdir(importsFolder(dataDir), { recursive: true });
        file = join(importsFolder(dataDir), `${access.projectSlug}-${Date.now()}-${randomBytes(4).toString("hex")}.jsonl`);
        await pipeline(request.body as NodeJS.ReadableStream, byteLimit(limit), createWriteStream(file, { flags: "wx" }));
        const job = await startImport(db, access, { stage, file, fileName });
        return reply.code(202).send({ job });
      } catch (error) {
        // A refused or broken upload leaves no half-written file behind.
        if (file !== null) await rm(file, { force: true });
        return answer(reply, error);
      }
    });
  });

  server.get("/api/projects/:slug/imports/:jobId/rejects", async (request, reply) => {
    try {
      const access = await adminAccess(db, request, sessionCookie);
      const { jobId } = request.params as { jobId: string };
      const job = await getJob(db, access.projectId, jobId);
      const params = job.params as { rejectsFile?: string; fileName?: string } | null;
      const path = job.kind === "import" ? params?.rejectsFile : undefined;
      const size = path ? await stat(path).then((s) => s.size, () => null) : null;
      if (!path || size === null) throw new RouteError(404, "This import has no rejects file: no line was rejected, or it has not finished yet.");
      const name = `${(params?.fileName ?? "import").replace(/\.jsonl$/, "").replace(/[^\w.-]/g, "_")}.rejects.jsonl`;
      return reply
        .type("application/x-ndjson; charset=utf-8")
        .header("content-length", size)
        .header("content-disposition", `attachment; filename="${name}"`)
        .send(createReadStream(path));
    } catch (error) {
      return answer(reply, error);
    }
  });

  server.get("/api/projects/:slug/snapshots/:id/files/*", async (request, reply) => {
    try {
      const access = await adminAccess(db, request, sessionCookie);
      const { id, "*": wanted } = request.params as { id: string; "*": string };
      const snapshot = await getSnapshot(db, access, id);
      const summary = snapshot.summary as { shards?: Array<{ path: string }> } | null;
      const listed = new Set(["README.md", "manifest.json", "grammar.json", ...(summary?.shards ?? []).map((shard) => shard.path)]);
      if (!listed.has(wanted)) throw new RouteError(404, `The snapshot has no file "${wanted}". Pick one from its list on the Exports page.`);
      const path = join(snapshot.path, wanted);
      const size = await stat(path).then((s) => s.size, () => null);
      if (size === null) throw new RouteError(410, `The snapshot's file ${wanted} is no longer on the server (its folder ${snapshot.path} was moved or deleted).`);
      const type = wanted.endsWith(".json") ? "application/json" : wanted.endsWith(".md") ? "text/markdown; charset=utf-8" : wanted.endsWith(".jsonl") ? "application/x-ndjson" : "application/octet-stream";
      return reply
        .type(type)
        .header("content-length", size)
        .header("content-disposition", `attachment; filename="${basename(wanted)}"`)
        .send(createReadStream(path));
    } catch (error) {
      return answer(reply, error);
    }
  });
}
