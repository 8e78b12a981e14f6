/**
 * `studio user add --email E --role R [--project S] [--name N]`: creates an account, its
 * password read from standard input. `--role admin` without `--project` makes a global
 * admin; with `--project` the account gets that role in the project.
 */
import { ROLES, type Role } from "@prealign/core";
import { Command } from "commander";
import { z } from "zod";
import { findProjectIdBySlug } from "../services/projects.ts";
import { createUser } from "../services/users.ts";
import { readPassword } from "./password-input.ts";
import { exitTwoOnUsageErrors, runCommand, UsageError, withDatabase } from "./support.ts";

interface UserAddOptions {
  email: string;
  role: string;
  project?: string;
  name?: string;
}

function parseRole(role: string): Role {
  const known = ROLES.find((candidate) => candidate === role);
  if (!known) throw new UsageError(`Unknown role "${role}". Use one of: ${ROLES.join(", ")}.`);
  return known;
}

async function addUser(options: UserAddOptions): Promise<void> {
  const role = parseRole(options.role);
  if (role !== "admin" && options.project === undefined) {
    throw new UsageError(
      `The ${role} role belongs to a project: add --project SLUG. Only --role admin can be given without a project (a global admin).`,
    );
  }
  if (!z.email().safeParse(options.email.trim()).success) {
    throw new UsageError(`"${options.email}" is not an email address. Use --email name@example.org.`);
  }
  const password = await readPassword(`Password for ${options.email}: `);
  if (password === "") {
    throw new UsageError(`No password was given on standard input. Pipe one in, for example: printf '%s' "$PASSWORD" | studio user add …`);
  }
  await withDatabase(async (db) => {
    const projectSlug = options.project;
    const projectId = projectSlug === undefined ? null : await findProjectIdBySlug(db, projectSlug);
    if (projectSlug !== undefined && projectId === null) {
      throw new UsageError(`There is no project "${projectSlug}". Create it first: studio project create --slug ${projectSlug} --name NAME`);
    }
    const { user } = await createUser(db, {
      email: options.email,
      password,
      ...(options.name === undefined ? {} : { name: options.name }),
      isAdmin: projectId === null,
      memberships: projectId === null ? [] : [{ projectId, role }],
      actorId: null,
    });
    process.stdout.write(
      projectId === null
        ? `Created ${user.email} as a global admin.\n`
        : `Created ${user.email} with the ${role} role in project "${projectSlug}".\n`,
    );
  });
}

/** The `user` command and its `add` subcommand. */
export function userCommand(): Command {
  const add = exitTwoOnUsageErrors(
    new Command("add")
      .description("create a user; the password is read from standard input")
      .requiredOption("--email <email>", "sign-in email")
      .requiredOption("--role <role>", `one of ${ROLES.join(", ")}; admin without --project makes a global admin`)
      .option("--project <slug>", "project in which the user gets the role")
      .option("--name <name>", "display name (default: the part of the email before @)")
      .action((options: UserAddOptions) => runCommand(() => addUser(options))),
  );
  return exitTwoOnUsageErrors(new Command("user").description("manage users").addCommand(add));
}
