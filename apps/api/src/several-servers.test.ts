/**
 * Two `studio serve` processes on one PostgreSQL database, on different ports, as a team that
 * outgrew one server runs them behind a load balancer: a session begun on one works on the
 * other, "Take next" through both at once never hands one example to two people, and failed
 * sign-ins through one count on the other. PostgreSQL only: a SQLite file belongs to one
 * server. (CI runs the suite once per database; this file runs in the PostgreSQL run.)
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServerProcess, type ServerProcess } from "./load/server-process.ts";
import { CSRF_HEADER, SESSION_COOKIE } from "./server.ts";
import type { ActiveSession } from "./services/sessions.ts";
import { createTestDatabase, type TestDatabase } from "./test/database.ts";
import { signedInUser, TEST_PASSWORD } from "./test/fixtures.ts";
import { mutate, query, sessionCookie } from "./test/http.ts";
import { createTeam, exampleIn, type Team } from "./test/workflow.ts";

const onPostgres = Boolean(process.env.TEST_DATABASE_URL?.trim());

/** People taking next at once, and examples waiting: more people than examples. */
const TAKERS = 24;
const WAITING = 16;

let database: TestDatabase;
let servers: ServerProcess[] = [];
let team: Team;
let takers: ActiveSession[];

beforeAll(async () => {
  if (!onPostgres) return;
  database = await createTestDatabase();
  const { db } = database;
  team = await createTeam(db);
  takers = await Promise.all(Array.from({ length: TAKERS }, (_, index) => signedInUser(db, { name: `Commentator ${index}` })));
  await db.membership.createMany({ data: takers.map((taker) => ({ projectId: team.project.id, userId: taker.user.id, role: "commentator" })) });
  for (let index = 0; index < WAITING; index += 1) await exampleIn(db, team, { stage: "commentary" });
  servers = await Promise.all([startServerProcess(database.url), startServerProcess(database.url)]);
});

afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop()));
  await database?.drop();
});

/** Signs in through `url` and returns the answer's status and the session cookie it set. */
async function logIn(url: string, email: string, password: string): Promise<{ status: number; cookie: string | null }> {
  const response = await fetch(`${url}/trpc/auth.login`, {
    method: "POST",
    headers: { "content-type": "application/json", [CSRF_HEADER]: "1" },
    body: JSON.stringify({ email, password }),
  });
  const pair = response.headers.getSetCookie().find((cookie) => cookie.startsWith(`${SESSION_COOKIE}=`))?.split(";")[0];
  return { status: response.status, cookie: pair ?? null };
}

describe.skipIf(!onPostgres)("two servers on one PostgreSQL database", () => {
  it("know a session begun on either", async () => {
    const [first, second] = servers as [ServerProcess, ServerProcess];
    const { cookie } = await logIn(first.url, team.reviewer.user.email, TEST_PASSWORD);
    expect(cookie).not.toBeNull();
    const me = await query(second.url, "auth.me", undefined, cookie!);
    expect(me.body.result?.data).toMatchObject({ id: team.reviewer.user.id });
    await mutate(second.url, "auth.logout", undefined, cookie!);
    expect((await query(first.url, "auth.me", undefined, cookie!)).body.result?.data).toBeNull();
  });

  it("never hand one example to two people taking next at once through both", async () => {
    const cookies = await Promise.all(takers.map((taker) => sessionCookie(database.db, taker.user.id)));
    const answers = await Promise.all(
      cookies.map((cookie, index) => mutate(servers[index % 2]!.url, "claims.next", { projectSlug: team.project.slug, role: "commentator" }, cookie)),
    );
    for (const answer of answers) expect(answer.status).toBe(200);
    const taken = answers.map((answer) => (answer.body.result!.data as { exampleId: string | null }).exampleId).filter((id) => id !== null);
    expect(taken).toHaveLength(WAITING);
    expect(new Set(taken).size).toBe(WAITING);
    const held = await database.db.example.findMany({ where: { id: { in: taken } }, select: { id: true, claimedById: true } });
    const takerOf = new Map(answers.map((answer, index) => [(answer.body.result!.data as { exampleId: string | null }).exampleId, takers[index]!.user.id]));
    for (const example of held) expect(example.claimedById).toBe(takerOf.get(example.id));
  });

  it("count failed sign-ins through one server on the other", async () => {
    const [first, second] = servers as [ServerProcess, ServerProcess];
    const email = team.adjudicator.user.email;
    // Five failures, the most one email may have from one address, spread over both servers.
    for (let attempt = 0; attempt < 5; attempt += 1) {
      expect((await logIn(servers[attempt % 2]!.url, email, "a wrong password")).status).toBe(401);
    }
    expect(await logIn(second.url, email, TEST_PASSWORD)).toEqual({ status: 429, cookie: null });
    expect(await logIn(first.url, email, TEST_PASSWORD)).toEqual({ status: 429, cookie: null });
  });
});
