/**
 * Input schemas shared by several routers, with messages a person can act on.
 */
import { ROLES } from "@prealign/core";
import { z } from "zod";

/** An email address, trimmed. */
export const emailInput = z
  .string()
  .trim()
  .max(320)
  .pipe(z.email({ error: "Enter an email address such as ada@example.org." }));

/** A project slug: lowercase letters, digits and inner hyphens, 2 to 63 characters. */
export const slugInput = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9-]{0,61}[a-z0-9]$/,
    "A slug is 2 to 63 lowercase letters, digits or hyphens, and starts and ends with a letter or digit.",
  );

/** A project role. */
export const roleInput = z.enum(ROLES, { error: `A role is one of ${ROLES.join(", ")}.` });

/** A database id. */
export const idInput = z.string().min(1).max(64);
