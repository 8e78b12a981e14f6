/**
 * `studio convert --to pm|text [FILE|-]` (SPEC §6): tagged text ⇄ editor document JSON.
 *
 * `--to pm` reads tagged text and prints the document JSON (one line); an invalid text is
 * refused with the validator's errors. `--to text` reads document JSON, re-checks it as the
 * server does (`documentFromJSON`: `Node.fromJSON(schema, json)`, then nesting, attributes,
 * marks, unique AI span ids and no tag strings typed into the text) and prints the tagged text
 * exactly, with no newline added, so that `convert --to pm | convert --to text -` gives back
 * the original bytes. Exit status: 0
 * converted, 1 the input is not a valid text or document, 2 usage or I/O error.
 */
import { createSchema, docToText, documentFromJSON, textToDoc } from "@prealign/core";
import { Command, Option } from "commander";
import { InputError, inputName, openInput, readText } from "./taggedTextInput.ts";

/** The input is readable but is not a valid text or document: exit status 1. */
class RefusedInput extends Error {}

function toDocument(text: string, unalignedQuotes: boolean, name: string): string {
  const result = textToDoc(text, { unalignedQuotes });
  if (!result.ok) {
    const errors = result.errors.map((e) => `  ${e.message}`).join("\n");
    throw new RefusedInput(`${name} is not valid tagged text:\n${errors}`);
  }
  return JSON.stringify(result.doc.toJSON()) + "\n";
}

function toText(json: string, unalignedQuotes: boolean, name: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    throw new RefusedInput(`${name} is not JSON (${(error as Error).message}); --to text reads the document JSON that --to pm writes.`);
  }
  try {
    return docToText(documentFromJSON(parsed, createSchema({ unalignedQuotes })));
  } catch (error) {
    throw new RefusedInput(`${name} is not a valid editor document: ${(error as Error).message}`);
  }
}

/** The `convert` command. */
export function convertCommand(): Command {
  return new Command("convert")
    .description("convert tagged text to editor document JSON (--to pm) or back (--to text)")
    .argument("[file]", "the file to read; - or nothing for standard input")
    .addOption(new Option("--to <format>", "pm: tagged text to document JSON; text: document JSON to tagged text").choices(["pm", "text"]).makeOptionMandatory())
    .option("--unaligned-quotes", "allow the <AI_quoting_unaligned_AI> pair (a project option)")
    .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2))
    .action(async (file: string | undefined, flags: { to: "pm" | "text"; unalignedQuotes?: boolean }) => {
      const name = inputName(file);
      const unalignedQuotes = flags.unalignedQuotes ?? false;
      try {
        const input = await readText(openInput(file), name);
        const output = flags.to === "pm" ? toDocument(input, unalignedQuotes, name) : toText(input, unalignedQuotes, name);
        if (!process.stdout.write(output)) await new Promise((resolve) => process.stdout.once("drain", resolve));
        process.exitCode = 0;
      } catch (error) {
        if (error instanceof RefusedInput) {
          process.stderr.write(`studio convert: ${error.message}\n`);
          process.exitCode = 1;
        } else {
          process.stderr.write(error instanceof InputError ? `studio convert: ${error.message}\n` : `studio convert: unexpected failure: ${(error as Error).stack}\n`);
          process.exitCode = 2;
        }
      }
    });
}
