/**
 * A duplicate key is recognised however it was written: by a Prisma model query or by plain
 * SQL (the save path's statements), on either database.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../test/database.ts";
import { uniqueEmail } from "../test/fixtures.ts";
import { isUniqueViolation } from "./errors.ts";
import { IdSource } from "./ids.ts";

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database?.drop();
});

/** What `write` threw. */
async function failureOf(write: () => Promise<unknown>): Promise<unknown> {
  return write().then(
    () => expect.unreachable("the write should have failed"),
    (error: unknown) => error,
  );
}

describe("isUniqueViolation", () => {
  it("recognises a duplicate key from a model query and from plain SQL, and nothing else", async () => {
    const { db } = database;
    const email = uniqueEmail("twice");
    await db.user.create({ data: { email, name: "Once", passwordHash: "!" } });

    expect(isUniqueViolation(await failureOf(() => db.user.create({ data: { email, name: "Twice", passwordHash: "!" } })))).toBe(true);
    const ids = new IdSource();
    const raw = await failureOf(() => db.$executeRaw`INSERT INTO "User" (id, email, name, "passwordHash", "createdAt") VALUES (${ids.next()}, ${email}, 'Twice', '!', ${new Date()})`);
    expect(isUniqueViolation(raw)).toBe(true);

    // A missing column and a broken reference are other failures.
    expect(isUniqueViolation(await failureOf(() => db.$executeRaw`INSERT INTO "User" (id, nosuchcolumn) VALUES (${ids.next()}, 1)`))).toBe(false);
    expect(
      isUniqueViolation(await failureOf(() => db.session.create({ data: { id: ids.next(), userId: "nobody", expiresAt: new Date() } }))),
    ).toBe(false);
    expect(isUniqueViolation(new Error("P2002"))).toBe(false);
  });

  it("gives every id of a source once, 25 characters starting with c, and other sources other ids", () => {
    const first = new IdSource();
    const second = new IdSource();
    const made = [...Array.from({ length: 1000 }, () => first.next()), ...Array.from({ length: 1000 }, () => second.next())];
    expect(new Set(made).size).toBe(2000);
    for (const id of made) expect(id).toMatch(/^c[0-9a-z]{24}$/);
  });
});
