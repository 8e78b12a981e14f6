/**
 * Ids made without asking Prisma, for rows written with plain SQL (imports, saves).
 */
import { randomBytes } from "node:crypto";

/**
 * Ids for rows written with plain SQL: a random prefix per source (per import, per server
 * process) and a counter, so that ids never collide and cost nothing to make (shaped like the
 * cuids Prisma generates elsewhere: 25 lowercase letters and digits starting with "c").
 */
export class IdSource {
  readonly #prefix = "c" + BigInt(`0x${randomBytes(10).toString("hex")}`).toString(36).padStart(16, "0").slice(0, 16);
  #next = 0;

  /** A fresh id. */
  next(): string {
    return this.#prefix + (this.#next++).toString(36).padStart(8, "0");
  }
}
