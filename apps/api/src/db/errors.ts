/**
 * Recognising database errors that have a meaning in the domain.
 */

/**
 * Whether an error is a unique-constraint violation: Prisma's P2002 from a model query, or a
 * plain SQL statement's failure (P2010) whose driver error is of that kind; both driver
 * adapters report a duplicate key so. Catching it instead of checking first leaves no gap
 * between the check and the insert.
 */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== "object" || error === null || !("code" in error)) return false;
  if (error.code === "P2002") return true;
  const meta = (error as { meta?: { driverAdapterError?: { cause?: { kind?: unknown } } } }).meta;
  return error.code === "P2010" && meta?.driverAdapterError?.cause?.kind === "UniqueConstraintViolation";
}
