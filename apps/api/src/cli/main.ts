/**
 * The `studio` command line (SPEC §6). Each command lives in its own module and registers
 * itself on the program; this file only assembles them.
 */
import { Command } from "commander";
import { backupCommand, restoreCommand } from "./backup.ts";
import { convertCommand } from "./convert.ts";
import { exportCommand } from "./export.ts";
import { importCommand } from "./import.ts";
import { migrateCommand } from "./migrate.ts";
import { projectCommand } from "./project.ts";
import { serveCommand } from "./serve.ts";
import { userCommand } from "./user.ts";
import { validateCommand } from "./validate.ts";

const program = new Command("studio").description("Prealign Studio: write, review and export pre-alignment training data");

// Commands register here, one module each: program.addCommand(xCommand()).
program.addCommand(validateCommand());
program.addCommand(convertCommand());
program.addCommand(serveCommand());
program.addCommand(migrateCommand());
program.addCommand(userCommand());
program.addCommand(projectCommand());
program.addCommand(exportCommand());
program.addCommand(importCommand());
program.addCommand(backupCommand());
program.addCommand(restoreCommand());

await program.parseAsync(process.argv);
