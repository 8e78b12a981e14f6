/**
 * Accounts: creating them (global admins, the command line, first-run setup) and listing them.
 */
import type { Role } from "@prealign/core";
import type { Db, Prisma } from "../db/database.ts";
import { isUniqueViolation } from "../db/errors.ts";
import { ConflictError } from "../errors.ts";
import { recordAudit } from "./audit.ts";
import { normalizeEmail } from "./auth.ts";
import { assertAcceptablePassword, generatePassword, hashPassword } from "./passwords.ts";

/** What an account looks like to an admin; never the password hash. */
export const userSummarySelect = {
  id: true,
  email: true,
  name: true,
  isAdmin: true,
  createdAt: true,
  disabledAt: true,
} satisfies Prisma.UserSelect;

/** An account as admins see it. */
export type UserSummary = Prisma.UserGetPayload<{ select: typeof userSummarySelect }>;

/** A new account. */
export interface NewUser {
  /** Sign-in email; stored lower-cased. */
  email: string;
  /** Display name; the part of the email before `@` when empty. */
  name?: string;
  /** Chosen password; a random one is generated (and returned once) when absent. */
  password?: string;
  /** Whether the account is a global admin. */
  isAdmin?: boolean;
  /** Project roles to grant at once. */
  memberships?: { projectId: string; role: Role }[];
  /** Who creates it; null for the command line and first-run setup. */
  actorId: string | null;
}

/** A created account, with its generated password when none was chosen. */
export interface CreatedUser {
  /** The account. */
  user: UserSummary;
  /** The generated password, to show once; absent when the caller chose one. */
  generatedPassword?: string;
}

/**
 * Creates an account (and any memberships) in one transaction. Throws `InvalidInputError`
 * for an unacceptable password and `ConflictError` when the email is taken.
 */
export async function createUser(db: Db, input: NewUser): Promise<CreatedUser> {
  const email = normalizeEmail(input.email);
  const password = input.password ?? generatePassword();
  assertAcceptablePassword(password);
  const passwordHash = await hashPassword(password);
  const name = input.name?.trim() || email.split("@")[0]!;
  try {
    const user = await db.$transaction(async (tx) => {
      const created = await tx.user.create({
        data: {
          email,
          name,
          passwordHash,
          isAdmin: input.isAdmin ?? false,
          memberships: { create: (input.memberships ?? []).map(({ projectId, role }) => ({ projectId, role })) },
        },
        select: userSummarySelect,
      });
      await recordAudit(tx, [
        { actorId: input.actorId, action: "user.create", to: created.email, data: { userId: created.id, isAdmin: created.isAdmin } },
        ...(input.memberships ?? []).map(({ projectId, role }) => ({
          actorId: input.actorId,
          action: "member.add" as const,
          projectId,
          from: null,
          to: role,
          data: { userId: created.id },
        })),
      ]);
      return created;
    });
    return input.password === undefined ? { user, generatedPassword: password } : { user };
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new ConflictError(`An account with the email ${email} already exists. Use another email, or add that account to the project instead.`);
    }
    throw error;
  }
}

/** Every account, oldest first. */
export function listUsers(db: Db): Promise<UserSummary[]> {
  return db.user.findMany({ select: userSummarySelect, orderBy: { createdAt: "asc" } });
}

/** Whether any account exists (first-run setup runs only when none does). */
export async function hasAnyUser(db: Db): Promise<boolean> {
  return (await db.user.findFirst({ select: { id: true } })) !== null;
}
