/**
 * The errors services throw. Each says in words what was wrong and what to do; its `kind`
 * tells the router layer (and only it) which tRPC code to answer with.
 */

/** What went wrong, in the terms the router layer maps to a status. */
export type DomainErrorKind =
  | "not_found"
  | "forbidden"
  | "conflict"
  | "invalid"
  | "unauthenticated"
  | "rate_limited";

/** Base class of every error a service throws on purpose. */
export abstract class DomainError extends Error {
  /** Which class of failure this is; decides the tRPC code. */
  abstract readonly kind: DomainErrorKind;
  /** Extra facts a client can act on (for example the head revision of a conflicting save). */
  readonly details: Record<string, unknown> | undefined;

  constructor(message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = new.target.name;
    this.details = details;
  }
}

/** The thing asked for does not exist (or the caller may not know that it does). */
export class NotFoundError extends DomainError {
  readonly kind = "not_found";
}

/** The caller is signed in but lacks the role or membership this needs. */
export class ForbiddenError extends DomainError {
  readonly kind = "forbidden";
}

/** The request clashes with what is stored: a duplicate email or slug, a stale save. */
export class ConflictError extends DomainError {
  readonly kind = "conflict";
}

/** The input is well-formed but not acceptable (a weak password, an invalid document). */
export class InvalidInputError extends DomainError {
  readonly kind = "invalid";
}

/** The caller is not signed in, or the credentials are wrong. */
export class UnauthenticatedError extends DomainError {
  readonly kind = "unauthenticated";
}

/** Too many attempts; `details.retryAfterSeconds` says when to try again. */
export class RateLimitedError extends DomainError {
  readonly kind = "rate_limited";
}
