/**
 * Password hashes are argon2id PHC strings at OWASP's parameters, salted per hash.
 */
import { describe, expect, it } from "vitest";
import { InvalidInputError } from "../errors.ts";
import { assertAcceptablePassword, generatePassword, hashPassword, verifyPassword } from "./passwords.ts";

const PHC = /^\$argon2id\$v=19\$m=19456,t=2,p=1\$([A-Za-z0-9+/]{22})\$([A-Za-z0-9+/]{43})$/;

describe("hashPassword", () => {
  it("writes an argon2id PHC string with OWASP's parameters and a 16-byte salt", async () => {
    expect(await hashPassword("correct horse battery staple")).toMatch(PHC);
  });

  it("salts every hash: the same password twice gives different hashes and salts", async () => {
    const [first, second] = await Promise.all([hashPassword("same password"), hashPassword("same password")]);
    expect(first).not.toBe(second);
    expect(PHC.exec(first)?.[1]).not.toBe(PHC.exec(second)?.[1]);
  });
});

describe("verifyPassword", () => {
  it("accepts the password and rejects any other", async () => {
    const hash = await hashPassword("correct horse battery staple");
    expect(await verifyPassword(hash, "correct horse battery staple")).toBe(true);
    expect(await verifyPassword(hash, "correct horse battery stapler")).toBe(false);
    expect(await verifyPassword(hash, "")).toBe(false);
  });

  it("rejects rather than throws for a hash that is not a PHC string", async () => {
    expect(await verifyPassword("plain text", "plain text")).toBe(false);
  });
});

describe("passwords people choose", () => {
  it("must have at least 8 characters", () => {
    expect(() => assertAcceptablePassword("short")).toThrow(InvalidInputError);
    expect(() => assertAcceptablePassword("long enough")).not.toThrow();
  });

  it("are generated with 20 URL-safe characters, different every time", () => {
    const passwords = new Set(Array.from({ length: 50 }, generatePassword));
    expect(passwords.size).toBe(50);
    for (const password of passwords) expect(password).toMatch(/^[A-Za-z0-9_-]{20}$/);
  });
});
