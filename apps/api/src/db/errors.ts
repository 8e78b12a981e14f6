/**
 * Recognising database errors that have a meaning in the domain.
 */

/**
 * Whether an error is Prisma's unique-constraint violation (P2002), which both driver
 * adapters report for a duplicate key. Catching it instead of checking first leaves no gap
 * between the check and the insert.
 */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && "code" in error && error.code === "P2002";
}
