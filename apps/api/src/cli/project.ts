/**
 * `studio project create --slug S --name N`: creates a project.
 */
import { Command } from "commander";
import { slugInput } from "../routers/inputs.ts";
import { createProject } from "../services/projects.ts";
import { exitTwoOnUsageErrors, runCommand, UsageError, withDatabase } from "./support.ts";

interface ProjectCreateOptions {
  slug: string;
  name: string;
}

async function addProject(options: ProjectCreateOptions): Promise<void> {
  const slug = slugInput.safeParse(options.slug);
  if (!slug.success) throw new UsageError(`"${options.slug}" cannot be a slug. ${slug.error.issues[0]?.message ?? ""}`);
  const name = options.name.trim();
  if (name === "") throw new UsageError("The project needs a name: --name NAME.");
  await withDatabase(async (db) => {
    const project = await createProject(db, { slug: slug.data, name, actorId: null });
    process.stdout.write(`Created project "${project.slug}" (${project.name}).\n`);
  });
}

/** The `project` command and its `create` subcommand. */
export function projectCommand(): Command {
  const create = exitTwoOnUsageErrors(
    new Command("create")
      .description("create a project")
      .requiredOption("--slug <slug>", "short name for addresses: lowercase letters, digits, hyphens")
      .requiredOption("--name <name>", "display name")
      .action((options: ProjectCreateOptions) => runCommand(() => addProject(options))),
  );
  return exitTwoOnUsageErrors(new Command("project").description("manage projects").addCommand(create));
}
