/**
 * Statements outside a transaction are never part of another request's transaction: on
 * SQLite, where every request shares one connection, they wait until it ends, and a
 * rollback takes only its own writes with it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../test/database.ts";
import { uniqueEmail } from "../test/fixtures.ts";

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database?.drop();
});

const userSelect = { id: true } as const;

describe("a write made while another request's transaction is open", () => {
  it("survives that transaction's rollback", async () => {
    const { db } = database;
    const insideEmail = uniqueEmail("inside");
    const outsideEmail = uniqueEmail("outside");
    let opened!: () => void;
    const isOpen = new Promise<void>((resolve) => (opened = resolve));
    let finish!: () => void;
    const mayFinish = new Promise<void>((resolve) => (finish = resolve));
    const failing = db.$transaction(
      async (tx) => {
        await tx.user.count();
        opened();
        await mayFinish;
        await tx.user.create({ data: { email: insideEmail, name: "Inside", passwordHash: "x" }, select: userSelect });
        throw new Error("the transaction fails");
      },
      { timeout: 20_000 },
    );
    await isOpen;
    // Like a sign-in's session insert arriving from another request.
    // (A Prisma query starts only when awaited or given `then`: start it now.)
    const outside = db.user.create({ data: { email: outsideEmail, name: "Outside", passwordHash: "x" }, select: userSelect }).then((user) => user);
    // Give the outside write every chance to run while the transaction is still open.
    await new Promise((resolve) => setTimeout(resolve, 200));
    finish();
    await expect(failing).rejects.toThrow("the transaction fails");
    await outside;
    expect(await db.user.findUnique({ where: { email: insideEmail }, select: userSelect })).toBeNull();
    expect(await db.user.findUnique({ where: { email: outsideEmail }, select: userSelect })).not.toBeNull();
  });

  it("lets transactions and outside statements interleave without losing either", async () => {
    const { db } = database;
    const emails = Array.from({ length: 6 }, (_, index) => uniqueEmail(`mixed-${index}`));
    const results = await Promise.allSettled(
      emails.map((email, index) =>
        index % 2 === 0
          ? db.$transaction(async (tx) => {
              await tx.user.create({ data: { email, name: "Rolled back", passwordHash: "x" }, select: userSelect });
              await new Promise((resolve) => setTimeout(resolve, 20));
              throw new Error("rolled back");
            })
          : db.user.create({ data: { email, name: "Kept", passwordHash: "x" }, select: userSelect }),
      ),
    );
    expect(results.map((result) => result.status)).toEqual(["rejected", "fulfilled", "rejected", "fulfilled", "rejected", "fulfilled"]);
    const kept = await db.user.findMany({ where: { email: { in: emails } }, select: { email: true } });
    expect(kept.map((user) => user.email).sort()).toEqual([emails[1], emails[3], emails[5]].sort());
  });
});
