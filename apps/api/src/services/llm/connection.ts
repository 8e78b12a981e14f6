/**
 * A project's model endpoint: any server that speaks OpenAI's chat-completions protocol (vLLM,
 * llama.cpp's server, Ollama, hosted services), configured by a project admin, with
 * `STUDIO_LLM_BASE_URL` / `STUDIO_LLM_MODEL` / `STUDIO_LLM_API_KEY` as the server-wide default.
 *
 * The connection lives in its own table, not in `Project.settings` (which every member's
 * browser receives), and the API key is read only by {@link resolveConnection}, which the code
 * that calls the endpoint uses. What any client is answered is a {@link ConnectionView}, which
 * says whether a key is set and never what it is.
 */
import { z } from "zod";
import type { Db, Prisma } from "../../db/database.ts";
import { InvalidInputError } from "../../errors.ts";
import type { ProjectAccess } from "../access.ts";
import { recordAudit } from "../audit.ts";

/** One model grader: a name (how reviewers and the figures know it), its instructions, and optionally its own model. */
export interface GraderConfig {
  name: string;
  instructions: string;
  /** The model to ask; the connection's model when absent. */
  model?: string;
}

/** What calling the endpoint needs, key included. Server-side only. */
export interface ResolvedConnection {
  baseUrl: string;
  model: string;
  apiKey: string | null;
  graders: GraderConfig[];
}

/** The connection as clients see it: no key, only whether there is one. */
export interface ConnectionView {
  /** Where the connection comes from: the project's own, the server's environment, or none at all. */
  source: "project" | "environment" | "none";
  baseUrl: string | null;
  model: string | null;
  hasApiKey: boolean;
  graders: GraderConfig[];
}

/** Said wherever a feature needs a model and the project has none. */
export const NOT_CONFIGURED_MESSAGE =
  "No model endpoint is configured for this project. A project admin can set one under Settings → Model assistance " +
  "(or the server's STUDIO_LLM_BASE_URL and STUDIO_LLM_MODEL); everything else works without it.";

const graderName = z
  .string({ error: "A grader's name is text." })
  .trim()
  .min(1, "Give each grader a name.")
  .max(80, "Keep a grader's name under 80 characters.")
  .regex(/^[^:\s][^:]*$/, "A grader's name cannot contain a colon or start with a space.");

const graderSchema = z.object({
  name: graderName,
  instructions: z.string({ error: "A grader's instructions are text." }).max(20_000, "Keep a grader's instructions under 20,000 characters."),
  model: z.string().trim().min(1).max(200).optional(),
});

/** Graders as stored; unreadable entries are dropped. */
function readGraders(stored: Prisma.JsonValue | undefined): GraderConfig[] {
  const parsed = z.array(z.unknown()).safeParse(stored);
  if (!parsed.success) return [];
  return parsed.data.flatMap((entry) => {
    const grader = graderSchema.safeParse(entry);
    return grader.success ? [grader.data] : [];
  });
}

/**
 * A change to the connection as an admin sends it. `apiKey`: a string sets the key, null
 * removes it, absent keeps it (the form never has the stored key to send back).
 */
export const connectionChangeSchema = z
  .object({
    baseUrl: z
      .string()
      .trim()
      .max(2000)
      .pipe(z.url({ protocol: /^https?$/, error: "The base URL is an http:// or https:// address, such as http://127.0.0.1:8000/v1." })),
    model: z.string().trim().min(1, "Name the model to ask, such as llama-3.1-8b-instruct.").max(200, "A model name is at most 200 characters."),
    apiKey: z.string().max(4000, "An API key is at most 4,000 characters.").nullable().optional(),
    graders: z
      .array(graderSchema)
      .max(10, "A project can have at most 10 graders.")
      .refine((list) => new Set(list.map((grader) => grader.name)).size === list.length, "Two graders cannot have the same name.")
      .default([]),
  })
  .strict();

export type ConnectionChange = z.infer<typeof connectionChangeSchema>;

/** The server-wide default, from the environment, if both a base URL and a model are set. */
function environmentConnection(env: NodeJS.ProcessEnv = process.env): ResolvedConnection | null {
  const baseUrl = env.STUDIO_LLM_BASE_URL?.trim();
  const model = env.STUDIO_LLM_MODEL?.trim();
  if (!baseUrl || !model) return null;
  return { baseUrl, model, apiKey: env.STUDIO_LLM_API_KEY?.trim() || null, graders: [] };
}

const connectionSelect = { baseUrl: true, model: true, apiKey: true, graders: true } satisfies Prisma.ModelConnectionSelect;

/**
 * The connection a project's requests use, key included, or null when there is none (neither
 * the project's own nor the environment's). For the code that calls the endpoint only.
 */
export async function resolveConnection(db: Db, projectId: string): Promise<ResolvedConnection | null> {
  const row = await db.modelConnection.findUnique({ where: { projectId }, select: connectionSelect });
  if (row) return { baseUrl: row.baseUrl, model: row.model, apiKey: row.apiKey, graders: readGraders(row.graders) };
  return environmentConnection();
}

/** Like {@link resolveConnection}, but throws the "not configured" message when there is none. */
export async function requireConnection(db: Db, projectId: string): Promise<ResolvedConnection> {
  const connection = await resolveConnection(db, projectId);
  if (!connection) throw new InvalidInputError(NOT_CONFIGURED_MESSAGE);
  return connection;
}

/** The project's connection as clients may see it. */
export async function getConnection(db: Db, access: ProjectAccess): Promise<ConnectionView> {
  const row = await db.modelConnection.findUnique({ where: { projectId: access.projectId }, select: connectionSelect });
  if (row) return { source: "project", baseUrl: row.baseUrl, model: row.model, hasApiKey: row.apiKey !== null, graders: readGraders(row.graders) };
  const fallback = environmentConnection();
  if (fallback) return { source: "environment", baseUrl: fallback.baseUrl, model: fallback.model, hasApiKey: fallback.apiKey !== null, graders: [] };
  return { source: "none", baseUrl: null, model: null, hasApiKey: false, graders: [] };
}

/** The connection as the audit log records it: what clients may see, never the key. */
function audited(view: ConnectionView): string {
  return JSON.stringify({ baseUrl: view.baseUrl, model: view.model, hasApiKey: view.hasApiKey, graders: view.graders.map((grader) => grader.name) });
}

/** Records a change of the project's connection in the audit log (a project's text goes wherever the base URL points). */
async function recordChange(db: Db, access: ProjectAccess, before: ConnectionView, after: ConnectionView): Promise<void> {
  await db.$transaction((tx) =>
    recordAudit(tx, [{ actorId: access.userId, action: "project.model", projectId: access.projectId, from: audited(before), to: audited(after) }]),
  );
}

/** Sets the project's own connection (an admin's change); answers it as clients see it. */
export async function updateConnection(db: Db, access: ProjectAccess, change: ConnectionChange): Promise<ConnectionView> {
  const before = await getConnection(db, access);
  const graders = change.graders as unknown as Prisma.InputJsonValue;
  const key = change.apiKey === undefined ? {} : { apiKey: change.apiKey === "" ? null : change.apiKey };
  await db.modelConnection.upsert({
    where: { projectId: access.projectId },
    create: { projectId: access.projectId, baseUrl: change.baseUrl, model: change.model, graders, apiKey: change.apiKey || null },
    update: { baseUrl: change.baseUrl, model: change.model, graders, ...key },
    select: { projectId: true },
  });
  const after = await getConnection(db, access);
  await recordChange(db, access, before, after);
  return after;
}

/** Removes the project's own connection; the environment's default (if any) applies again. */
export async function removeConnection(db: Db, access: ProjectAccess): Promise<ConnectionView> {
  const before = await getConnection(db, access);
  await db.modelConnection.deleteMany({ where: { projectId: access.projectId } });
  const after = await getConnection(db, access);
  if (before.source === "project") await recordChange(db, access, before, after);
  return after;
}
