/**
 * SIGTERM, as a service manager stops the studio: `studio serve` stops taking connections,
 * answers the save it is receiving (and stores it), and exits with status 0.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { startServerProcess, type ServerProcess } from "./load/server-process.ts";
import { CSRF_HEADER } from "./server.ts";
import { createTestDatabase, type TestDatabase } from "./test/database.ts";
import { projectWithMembers, signedInUser } from "./test/fixtures.ts";
import { mutate, sessionCookie } from "./test/http.ts";
import { docJson } from "./test/workflow.ts";

let database: TestDatabase;
let server: ServerProcess | undefined;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await server?.stop("SIGKILL");
  await database?.drop();
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it("answers and stores a save in flight when SIGTERM arrives, refuses new connections, and exits 0", async () => {
  const { db } = database;
  const author = await signedInUser(db);
  const project = await projectWithMembers(db, [{ session: author, roles: ["author"] }]);
  const cookie = await sessionCookie(db, author.user.id);
  // The server migrates first, which SQLite allows only while no other connection is open.
  await db.$disconnect();
  server = await startServerProcess(database.url);
  const created = await mutate(server.url, "examples.create", { projectSlug: project.slug }, cookie);
  const exampleId = (created.body.result!.data as { id: string }).id;
  const { headRevisionId } = await db.example.findUniqueOrThrow({ where: { id: exampleId }, select: { headRevisionId: true } });

  // The save's body is sent in two parts, with SIGTERM between them: the request is under way.
  const body = new TextEncoder().encode(JSON.stringify({ exampleId, baseRevisionId: headRevisionId, doc: docJson("Saved at shutdown. <AI>Kept.</AI>") }));
  let sendRest!: () => void;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(body.subarray(0, 40));
      sendRest = () => {
        controller.enqueue(body.subarray(40));
        controller.close();
      };
    },
  });
  const saving = fetch(`${server.url}/trpc/examples.save`, {
    method: "POST",
    headers: { "content-type": "application/json", [CSRF_HEADER]: "1", cookie },
    body: stream,
    duplex: "half",
  } as RequestInit);
  await pause(500);
  const exited = server.stop("SIGTERM");
  await pause(500);
  await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  sendRest();

  const answer = await saving;
  expect(answer.status).toBe(200);
  const saved = ((await answer.json()) as { result: { data: { id: string } } }).result.data;
  await exited;
  expect(server.child.exitCode).toBe(0);
  expect(await db.revision.findUnique({ where: { id: saved.id }, select: { text: true } })).toEqual({ text: "Saved at shutdown. <AI>Kept.</AI>" });
  expect(await db.example.findUniqueOrThrow({ where: { id: exampleId }, select: { headRevisionId: true } })).toEqual({ headRevisionId: saved.id });
});
