/**
 * Project membership: who holds which roles in a project. Every change is audited.
 */
import type { Role } from "@prealign/core";
import type { Db, Prisma } from "../db/database.ts";
import { isUniqueViolation } from "../db/errors.ts";
import { ConflictError, NotFoundError } from "../errors.ts";
import { sortRoles, type ProjectAccess } from "./access.ts";
import { recordAudit } from "./audit.ts";
import { normalizeEmail } from "./auth.ts";

const memberUserSelect = { id: true, email: true, name: true } satisfies Prisma.UserSelect;

/** A member as the project page lists them. */
export interface Member {
  /** Who. */
  user: Prisma.UserGetPayload<{ select: typeof memberUserSelect }>;
  /** Their roles in the project, in the usual order. */
  roles: Role[];
}

/** Every member of a project with their roles, by name. */
export async function listMembers(db: Db, projectId: string): Promise<Member[]> {
  const memberships = await db.membership.findMany({
    where: { projectId },
    select: { role: true, user: { select: memberUserSelect } },
  });
  const byUser = new Map<string, { user: Member["user"]; roles: string[] }>();
  for (const { role, user } of memberships) {
    const entry = byUser.get(user.id) ?? { user, roles: [] };
    entry.roles.push(role);
    byUser.set(user.id, entry);
  }
  return [...byUser.values()]
    .map(({ user, roles }) => ({ user, roles: sortRoles(roles) }))
    .sort((a, b) => a.user.name.localeCompare(b.user.name) || a.user.email.localeCompare(b.user.email));
}

async function findMember(
  db: Db | Prisma.TransactionClient,
  projectId: string,
  where: Prisma.UserWhereUniqueInput,
): Promise<Member | null> {
  const user = await db.user.findUnique({
    where,
    select: { ...memberUserSelect, memberships: { where: { projectId }, select: { role: true } } },
  });
  if (!user) return null;
  const { memberships, ...rest } = user;
  return { user: rest, roles: sortRoles(memberships.map((membership) => membership.role)) };
}

/**
 * The refusal for changing or removing someone who is not a member: the same for an account
 * that exists outside the project (a global admin's included) as for one that does not exist,
 * so that it tells nothing about accounts outside the project.
 */
function notAMember(access: ProjectAccess): NotFoundError {
  return new NotFoundError(
    `That account is not a member of project "${access.projectSlug}". Reload the member list; to add someone, enter their email.`,
  );
}

/**
 * Gives the account with `email` a role in the project. Throws `NotFoundError` when there is
 * no such account and `ConflictError` when the role is already held.
 */
export async function addMember(db: Db, access: ProjectAccess, input: { email: string; role: Role }): Promise<Member> {
  const email = normalizeEmail(input.email);
  const before = await findMember(db, access.projectId, { email });
  if (!before) {
    throw new NotFoundError(
      `There is no account with the email ${email}. Ask a global admin to create it, then add it to the project.`,
    );
  }
  try {
    await db.$transaction(async (tx) => {
      await tx.membership.create({
        data: { projectId: access.projectId, userId: before.user.id, role: input.role },
        select: { id: true },
      });
      await recordAudit(tx, [
        {
          actorId: access.userId,
          action: "member.add",
          projectId: access.projectId,
          from: null,
          to: input.role,
          data: { userId: before.user.id },
        },
      ]);
    });
    return { user: before.user, roles: sortRoles([...before.roles, input.role]) };
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new ConflictError(`${email} already has the ${input.role} role in project "${access.projectSlug}".`);
    }
    throw error;
  }
}

/**
 * Sets a member's roles to exactly `roles` (an empty list removes them from the project).
 * Only for accounts that already hold a role in the project; people join through
 * {@link addMember}. Throws `NotFoundError` for any other account, exactly as for one that
 * does not exist, and `ConflictError` when someone else changed the same member's roles at
 * the same moment (the insert of a role they had just added violates the unique key).
 */
export async function setMemberRoles(db: Db, access: ProjectAccess, input: { userId: string; roles: Role[] }): Promise<Member> {
  try {
    return await replaceMemberRoles(db, access, input);
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    throw new ConflictError(
      `Someone else changed this member's roles in project "${access.projectSlug}" at the same time. ` +
        `Reload the member list to see their roles now, then change them again if needed.`,
    );
  }
}

function replaceMemberRoles(db: Db, access: ProjectAccess, input: { userId: string; roles: Role[] }): Promise<Member> {
  const wanted = sortRoles(input.roles);
  return db.$transaction(async (tx) => {
    const before = await findMember(tx, access.projectId, { id: input.userId });
    if (!before || before.roles.length === 0) throw notAMember(access);
    const removed = before.roles.filter((role) => !wanted.includes(role));
    const added = wanted.filter((role) => !before.roles.includes(role));
    if (removed.length === 0 && added.length === 0) return before;
    await tx.membership.deleteMany({ where: { projectId: access.projectId, userId: input.userId, role: { in: removed } } });
    await tx.membership.createMany({
      data: added.map((role) => ({ projectId: access.projectId, userId: input.userId, role })),
    });
    await recordAudit(tx, [
      {
        actorId: access.userId,
        action: "member.roles",
        projectId: access.projectId,
        from: before.roles.join(",") || null,
        to: wanted.join(",") || null,
        data: { userId: input.userId },
      },
    ]);
    return { user: before.user, roles: wanted };
  });
}

/**
 * Removes a member (all their roles) from the project. Throws `NotFoundError` when they are
 * not a member, the same as {@link setMemberRoles} does.
 */
export async function removeMember(db: Db, access: ProjectAccess, input: { userId: string }): Promise<void> {
  await db.$transaction(async (tx) => {
    const before = await findMember(tx, access.projectId, { id: input.userId });
    if (!before || before.roles.length === 0) throw notAMember(access);
    await tx.membership.deleteMany({ where: { projectId: access.projectId, userId: input.userId } });
    await recordAudit(tx, [
      {
        actorId: access.userId,
        action: "member.remove",
        projectId: access.projectId,
        from: before.roles.join(","),
        to: null,
        data: { userId: input.userId },
      },
    ]);
  });
}
